#include "shared/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads all of `input`; on error returns the rows so far and sets *error.
Rows ReadAll(const std::string& input, absl::Status* error,
             CsvReaderOptions options = CsvReaderOptions(), std::vector<int64_t>* lines = nullptr) {
  std::istringstream in(input);
  CsvReader reader(&in, options);
  Rows rows;
  std::vector<std::string> fields;
  *error = absl::OkStatus();
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) {
      *error = more.status();
      return rows;
    }
    if (!*more) return rows;
    rows.push_back(fields);
    if (lines != nullptr) lines->push_back(reader.line());
  }
}

struct GoodCase {
  std::string name;
  std::string input;
  Rows rows;
};

const GoodCase kGood[] = {
    {"empty input", "", {}},
    {"only a BOM", "\xEF\xBB\xBF", {}},
    {"one row", "a,b,c\n", {{"a", "b", "c"}}},
    {"no final newline", "a,b\nc,d", {{"a", "b"}, {"c", "d"}}},
    {"CRLF", "a,b\r\nc,d\r\n", {{"a", "b"}, {"c", "d"}}},
    {"CRLF without the last one", "a,b\r\nc,d", {{"a", "b"}, {"c", "d"}}},
    {"BOM skipped", "\xEF\xBB\xBFname,id\n", {{"name", "id"}}},
    {"empty fields", ",a,,\n", {{"", "a", "", ""}}},
    {"trailing comma at EOF", "a,", {{"a", ""}}},
    {"quoted comma", "\"a,b\",c\n", {{"a,b", "c"}}},
    {"doubled quotes", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}},
    {"quoted empty", "\"\",\"\"\n", {{"", ""}}},
    {"newline inside quotes", "\"line1\nline2\",b\nc,d\n", {{"line1\nline2", "b"}, {"c", "d"}}},
    {"CRLF inside quotes kept", "\"x\r\ny\"\r\n", {{"x\r\ny"}}},
    {"quoted last field without newline", "a,\"b\"", {{"a", "b"}}},
    {"blank lines skipped", "\na,b\n\n\r\nc,d\n\n", {{"a", "b"}, {"c", "d"}}},
    {"CR ending the input after a row", "a,b\r\n\r", {{"a", "b"}}},
    {"spaces kept", " a , b \n", {{" a ", " b "}}},
    {"UTF-8 Chinese", "王晓明,林店街道金池社区\n", {{"王晓明", "林店街道金池社区"}}},
    {"four-byte UTF-8", "\xF0\x9F\x98\x80\n", {{"\xF0\x9F\x98\x80"}}},
    {"largest code point", "\xF4\x8F\xBF\xBF\n", {{"\xF4\x8F\xBF\xBF"}}},
    {"a BOM later is data",
     "a\n\xEF\xBB\xBF"
     "b\n",
     {{"a"},
      {"\xEF\xBB\xBF"
       "b"}}},
};

TEST(CsvReaderTest, ReadsWellFormedInput) {
  for (const GoodCase& c : kGood) {
    SCOPED_TRACE(c.name);
    absl::Status error;
    EXPECT_EQ(ReadAll(c.input, &error), c.rows);
    EXPECT_TRUE(error.ok()) << error.message();
  }
}

struct BadCase {
  std::string name;
  std::string input;
  std::string message;
  size_t rows_before;  // rows read before the error
};

const BadCase kBad[] = {
    {"unterminated quote", "a,b\nc,\"open\nstill open\n",
     "line 2: quoted field is not closed at the end of the file", 1},
    {"stray quote in unquoted field", "a,b\"c\n",
     "line 1: quote inside an unquoted field (quote the whole field and double the quote)", 0},
    {"text after closing quote", "\"a\"b,c\n", "line 1: text after the closing quote of a field",
     0},
    {"bare CR", "a\rb\n", "line 1: carriage return not followed by a line feed", 0},
    {"invalid byte", "ok\nbad\xFF\n", "line 2: invalid UTF-8", 1},
    {"lone continuation byte", "\x80\n", "line 1: invalid UTF-8", 0},
    {"overlong slash", "\xC0\xAF\n", "line 1: invalid UTF-8", 0},
    {"overlong three-byte", "\xE0\x80\xAF\n", "line 1: invalid UTF-8", 0},
    {"overlong four-byte", "\xF0\x80\x80\xAF\n", "line 1: invalid UTF-8", 0},
    {"surrogate", "\xED\xA0\x80\n", "line 1: invalid UTF-8", 0},
    {"above U+10FFFF", "\xF4\x90\x80\x80\n", "line 1: invalid UTF-8", 0},
    {"F5 lead byte", "\xF5\x80\x80\x80\n", "line 1: invalid UTF-8", 0},
    {"truncated sequence at field end", "\xE7\x8E,x\n",
     "line 1: invalid UTF-8 (truncated sequence)", 0},
    {"sequence cut short by ASCII",
     "\xE7"
     "A\n",
     "line 1: invalid UTF-8", 0},
    {"truncated sequence at EOF", "a\n\xE7\x8E", "line 2: invalid UTF-8 (truncated sequence)", 1},
    {"invalid UTF-8 on a later line of a quoted field", "\"a\nb\nc\xFF\"\n",
     "line 3: invalid UTF-8", 0},
    {"NUL byte", std::string("a\0b\n", 4),
     "line 1: NUL byte (is the file UTF-16? save it as UTF-8)", 0},
};

TEST(CsvReaderTest, RefusesMalformedInputNamingTheLine) {
  for (const BadCase& c : kBad) {
    SCOPED_TRACE(c.name);
    absl::Status error;
    const Rows rows = ReadAll(c.input, &error);
    EXPECT_EQ(error.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(error.message(), c.message);
    EXPECT_EQ(rows.size(), c.rows_before);
  }
}

TEST(CsvReaderTest, ErrorsNeverQuoteTheData) {
  for (const BadCase& c : kBad) {
    absl::Status error;
    ReadAll(c.input, &error);
    EXPECT_EQ(std::string(error.message()).find("open"), std::string::npos) << c.name;
  }
}

TEST(CsvReaderTest, FieldSizeLimit) {
  CsvReaderOptions options;
  options.max_field_bytes = 8;
  absl::Status error;
  EXPECT_EQ(ReadAll("12345678,\"12345678\"\n", &error, options), (Rows{{"12345678", "12345678"}}));
  EXPECT_TRUE(error.ok());
  ReadAll("ok\n123456789\n", &error, options);
  EXPECT_EQ(error.message(), "line 2: field longer than 8 bytes");
  ReadAll("\"1234\n56789\"\n", &error, options);
  EXPECT_EQ(error.message(), "line 2: field longer than 8 bytes");
}

TEST(CsvReaderTest, DefaultFieldLimitIsOneMebibyte) {
  absl::Status error;
  const std::string big(size_t{1} << 20, 'a');
  EXPECT_EQ(ReadAll(big + "\n", &error).size(), 1u);
  EXPECT_TRUE(error.ok());
  ReadAll(big + "a\n", &error);
  EXPECT_EQ(error.message(), "line 1: field longer than 1048576 bytes");
}

TEST(CsvReaderTest, FieldCountLimit) {
  CsvReaderOptions options;
  options.max_fields_per_row = 3;
  absl::Status error;
  EXPECT_EQ(ReadAll("a,b,c\n", &error, options).size(), 1u);
  ReadAll("a,b,c\nd,e,f,g\n", &error, options);
  EXPECT_EQ(error.message(), "line 2: more than 3 fields");
}

TEST(CsvReaderTest, LineIsWhereTheRecordStarts) {
  absl::Status error;
  std::vector<int64_t> lines;
  ReadAll("\xEF\xBB\xBFh1,h2\n\"multi\nline\",x\n\nlast,y", &error, CsvReaderOptions(), &lines);
  EXPECT_TRUE(error.ok());
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 5}));
}

TEST(CsvReaderTest, ErrorIsSticky) {
  std::istringstream in("a\"b\nc,d\n");
  CsvReader reader(&in);
  std::vector<std::string> fields;
  EXPECT_FALSE(reader.Next(&fields).ok());
  absl::StatusOr<bool> again = reader.Next(&fields);
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.status().message(),
            "line 1: quote inside an unquoted field (quote the whole field and double the "
            "quote)");
}

TEST(CsvReaderTest, ReadsAcrossBufferBoundaries) {
  // Rows longer than the reader's 64 KiB buffer, with quotes and CRLF straddling it.
  std::string input;
  Rows expected;
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> row = {std::string(5000 + i * 97, 'x'), "q\"uo,te\n",
                                    "王" + std::to_string(i)};
    input += FormatCsvRow(row);
    input.insert(input.size() - 1, "\r");
    expected.push_back(row);
  }
  absl::Status error;
  EXPECT_EQ(ReadAll(input, &error), expected);
  EXPECT_TRUE(error.ok()) << error.message();
}

TEST(CsvReaderTest, ReadFailureIsDataLoss) {
  std::istringstream in("a,b\n");
  in.setstate(std::ios::badbit);
  CsvReader reader(&in);
  std::vector<std::string> fields;
  absl::StatusOr<bool> result = reader.Next(&fields);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
}

struct FormatCase {
  std::vector<std::string> fields;
  std::string line;
};

const FormatCase kFormat[] = {
    {{"a", "b"}, "a,b\n"},
    {{"a,b", "c"}, "\"a,b\",c\n"},
    {{"say \"hi\""}, "\"say \"\"hi\"\"\"\n"},
    {{"two\nlines", "cr\r"}, "\"two\nlines\",\"cr\r\"\n"},
    {{"", ""}, ",\n"},
    {{""}, "\"\"\n"},
    {{" spaced "}, " spaced \n"},
    {{"王晓明", "1"}, "王晓明,1\n"},
    {{"\xEF\xBB\xBFname", "x"}, "\"\xEF\xBB\xBFname\",x\n"},  // not taken for a file's BOM
};

TEST(FormatCsvRowTest, QuotesOnlyWhenNeededAndReadsBack) {
  for (const FormatCase& c : kFormat) {
    SCOPED_TRACE(c.line);
    EXPECT_EQ(FormatCsvRow(c.fields), c.line);
    absl::Status error;
    EXPECT_EQ(ReadAll(c.line, &error), Rows{c.fields});
    EXPECT_TRUE(error.ok());
  }
}

}  // namespace
}  // namespace fedsync
