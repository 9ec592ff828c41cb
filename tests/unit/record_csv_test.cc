#include "shared/record_csv.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "shared/field_checker.h"

namespace fedsync {
namespace {

using google::protobuf::util::MessageDifferencer;

const std::vector<std::string> kStudentHeader = {
    "name",  "gender",      "resident_id",   "birth_date", "study_country", "degree",
    "field", "return_year", "employer_type", "community",  "phone",         "registered_date"};

v1::Record SampleStudent() {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name("王晓明");
  s->set_gender(v1::MALE);
  s->set_resident_id("340103199003071239");
  s->set_birth_date("1990-03-07");
  s->set_study_country("GB");
  s->set_degree(v1::MASTER);
  s->set_field("材料科学, \"纳米\"方向");  // a comma and quotes, to exercise CSV quoting
  s->set_return_year(2016);
  s->set_employer_type(v1::PRIVATE_ENTERPRISE);
  s->set_community("林店街道金池社区");
  s->set_phone("13912345678");
  s->set_registered_date("2019-05-20");
  return record;
}

v1::Record SampleCertification() {
  v1::Record record;
  v1::IdentityCertification* c = record.mutable_identity_certification();
  c->set_applicant_name("李芳");
  c->set_resident_id("340102198511160042");
  c->set_category(v1::RELATIVE_OF_OVERSEAS_CHINESE);
  c->set_issue_date("2026-04-02");
  c->set_outcome(v1::REJECTED);
  c->set_community("亳州路街道北二社区");
  return record;
}

v1::Record SampleStudyCertificate() {
  v1::Record record;
  v1::StudyCertificate* c = record.mutable_study_certificate();
  c->set_student_name("陈子涵");
  c->set_resident_id("340104201406150026");
  c->set_parent_country("IT");
  c->set_issue_date("2026-08-28");
  c->set_outcome(v1::APPROVED);
  c->set_community("双岗街道双岗社区");
  return record;
}

TEST(RecordCsvTest, HeaderIsTheFieldNamesInOrder) {
  EXPECT_EQ(CsvHeader(*FindRegistryKind("returned_students")), kStudentHeader);
  EXPECT_EQ(CsvHeader(*FindRegistryKind("identity_certifications")),
            (std::vector<std::string>{"applicant_name", "resident_id", "category", "issue_date",
                                      "outcome", "community"}));
}

TEST(RecordCsvTest, RowsRoundTripForEveryKind) {
  for (const v1::Record& original :
       {SampleStudent(), SampleCertification(), SampleStudyCertificate(), [] {
          v1::Record blank;  // every field at its default
          blank.mutable_returned_student();
          return blank;
        }()}) {
    const RegistryKind& kind = *RegistryKindOf(original);
    SCOPED_TRACE(kind.name);
    absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(kind.name, CsvHeader(kind));
    ASSERT_TRUE(mapper.ok()) << mapper.status();
    v1::Record copy;
    ASSERT_TRUE(mapper->Fill(RecordToCsvRow(original), &copy).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(original, copy)) << copy.DebugString();
  }
}

TEST(RecordCsvTest, ColumnsMayComeInAnyOrder) {
  std::vector<std::string> header = kStudentHeader;
  std::reverse(header.begin(), header.end());
  std::vector<std::string> row = RecordToCsvRow(SampleStudent());
  std::reverse(row.begin(), row.end());
  absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create("returned_students", header);
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  v1::Record record;
  ASSERT_TRUE(mapper->Fill(row, &record).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(record, SampleStudent()));
}

struct HeaderCase {
  std::string name;
  std::string kind;
  std::vector<std::string> header;
  std::string message;
};

std::vector<std::string> Replace(std::vector<std::string> header, size_t i,
                                 const std::string& name) {
  header[i] = name;
  return header;
}
std::vector<std::string> Without(std::vector<std::string> header, size_t i) {
  header.erase(header.begin() + i);
  return header;
}
std::vector<std::string> With(std::vector<std::string> header, const std::string& name) {
  header.push_back(name);
  return header;
}

TEST(RecordCsvTest, CreateRefusesBadHeaders) {
  const std::string expected_columns =
      "(expected columns: name, gender, resident_id, birth_date, study_country, degree, "
      "field, return_year, employer_type, community, phone, registered_date)";
  const HeaderCase cases[] = {
      {"unknown kind", "returned_student", kStudentHeader,
       "unknown registry kind \"returned_student\"; known: returned_students, "
       "identity_certifications, study_certificates, enterprises, community_figures, "
       "hardship_cases, aid_visits"},
      {"unknown column", "returned_students", With(kStudentHeader, "email"),
       "column 13 is not a field of returned_students " + expected_columns},
      {"data row instead of a header", "returned_students", Replace(kStudentHeader, 0, "王晓明"),
       "column 1 is not a field of returned_students " + expected_columns},
      {"column names are case-sensitive", "returned_students", Replace(kStudentHeader, 1, "Gender"),
       "column 2 is not a field of returned_students " + expected_columns},
      {"duplicate column", "returned_students", With(kStudentHeader, "gender"),
       "column 13 \"gender\" appears twice"},
      {"missing column", "returned_students", Without(kStudentHeader, 10),
       "missing column \"phone\" of returned_students"},
      {"empty header",
       "study_certificates",
       {},
       "missing column \"student_name\" of study_certificates"},
  };
  for (const HeaderCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(c.kind, c.header);
    ASSERT_FALSE(mapper.ok());
    EXPECT_EQ(mapper.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(mapper.status().message(), c.message);
  }
}

struct CellCase {
  std::string name;
  size_t column;
  std::string cell;
  std::string message;  // empty: accepted
};

TEST(RecordCsvTest, FillParsesCellsStrictly) {
  const std::string gender_names =
      "returned_students.gender: not a value name of Gender (one of GENDER_UNSPECIFIED, "
      "MALE, FEMALE)";
  const CellCase cases[] = {
      {"year", 7, "2016", ""},
      {"negative year parses; validation judges it", 7, "-5", ""},
      {"empty integer is 0", 7, "", ""},
      {"int32 max", 7, "2147483647", ""},
      {"int32 min", 7, "-2147483648", ""},
      {"above int32", 7, "2147483648", "returned_students.return_year: integer out of range"},
      {"below int32", 7, "-2147483649", "returned_students.return_year: integer out of range"},
      {"far above uint64", 7, "99999999999999999999999",
       "returned_students.return_year: integer out of range"},
      {"letters", 7, "20x6", "returned_students.return_year: not a decimal integer"},
      {"leading space", 7, " 2016", "returned_students.return_year: not a decimal integer"},
      {"trailing space", 7, "2016 ", "returned_students.return_year: not a decimal integer"},
      {"plus sign", 7, "+2016", "returned_students.return_year: not a decimal integer"},
      {"lone minus", 7, "-", "returned_students.return_year: not a decimal integer"},
      {"decimal point", 7, "2016.0", "returned_students.return_year: not a decimal integer"},
      {"full-width digits", 7, "２０１６", "returned_students.return_year: not a decimal integer"},
      {"enum name", 1, "FEMALE", ""},
      {"empty enum is unspecified", 1, "", ""},
      {"enum lowercase", 1, "male", gender_names},
      {"enum number", 1, "1", gender_names},
      {"enum in Chinese", 1, "男", gender_names},
      {"string as is", 0, "  王 晓明 ", ""},
      {"invalid UTF-8", 0, "\xff", "returned_students.name: invalid UTF-8"},
      {"truncated UTF-8", 0, "王\xe6\x99",
       "returned_students.name: invalid UTF-8 (truncated sequence)"},
      {"surrogate", 0, "\xed\xa0\x80", "returned_students.name: invalid UTF-8"},
  };
  absl::StatusOr<RecordCsvMapper> mapper =
      RecordCsvMapper::Create("returned_students", kStudentHeader);
  ASSERT_TRUE(mapper.ok());
  for (const CellCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> row = RecordToCsvRow(SampleStudent());
    row[c.column] = c.cell;
    v1::Record record;
    const absl::Status status = mapper->Fill(row, &record);
    if (c.message.empty()) {
      ASSERT_TRUE(status.ok()) << status;
      EXPECT_EQ(FieldText(RecordPayload(record), kStudentHeader[c.column]),
                c.cell.empty() ? (c.column == 1 ? "GENDER_UNSPECIFIED" : "0") : c.cell);
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(status.message(), c.message);
    }
  }
}

TEST(RecordCsvTest, FillRefusesTheWrongNumberOfFields) {
  absl::StatusOr<RecordCsvMapper> mapper =
      RecordCsvMapper::Create("returned_students", kStudentHeader);
  ASSERT_TRUE(mapper.ok());
  std::vector<std::string> row = RecordToCsvRow(SampleStudent());
  v1::Record record;
  row.pop_back();
  EXPECT_EQ(mapper->Fill(row, &record).message(), "row has 11 fields, expected 12");
  row.push_back("x");
  row.push_back("y");
  EXPECT_EQ(mapper->Fill(row, &record).message(), "row has 13 fields, expected 12");
}

TEST(RecordCsvTest, FillReplacesTheRecord) {
  absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(
      "identity_certifications", CsvHeader(*FindRegistryKind("identity_certifications")));
  ASSERT_TRUE(mapper.ok());
  v1::Record record = SampleStudent();
  ASSERT_TRUE(mapper->Fill(RecordToCsvRow(SampleCertification()), &record).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(record, SampleCertification()));
}

// Text that a spreadsheet would run as a formula is written with a ' before it and
// read back as it was; numbers are never quoted.
TEST(RecordCsvTest, FormulaLikeTextIsQuotedAndReadBack) {
  absl::StatusOr<RecordCsvMapper> mapper =
      RecordCsvMapper::Create("returned_students", kStudentHeader);
  ASSERT_TRUE(mapper.ok());
  struct Case {
    std::string name;    // column 0, text
    std::string quoted;  // as written
  };
  const Case cases[] = {
      {"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
      {"+1", "'+1"},
      {"-1", "'-1"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\t=1", "'\t=1"},
      {"\r=1", "'\r=1"},
      {"'=1", "''=1"},  // a quote the reader would take away is quoted itself
      {"''-1", "'''-1"},
      {"'abc", "'abc"},  // left alone: nothing to take away
      {"王=晓明", "王=晓明"},
      {"", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Record original = SampleStudent();
    original.mutable_returned_student()->set_name(c.name);
    original.mutable_returned_student()->set_return_year(-5);  // a number stays one
    const std::vector<std::string> row = RecordToCsvRow(original);
    EXPECT_EQ(row[0], c.quoted);
    EXPECT_EQ(row[7], "-5");
    EXPECT_EQ(RecordToCsvRow(original, CsvText::kAsStored)[0], c.name);
    v1::Record copy;
    ASSERT_TRUE(mapper->Fill(row, &copy).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(original, copy)) << copy.DebugString();
  }
}

// A cell longer than any field may be is refused by the mapper, naming the field, so
// that an import names its row instead of failing a whole batch at the district.
TEST(RecordCsvTest, FillRefusesCellsLongerThanAnyFieldMayBe) {
  absl::StatusOr<RecordCsvMapper> mapper =
      RecordCsvMapper::Create("returned_students", kStudentHeader);
  ASSERT_TRUE(mapper.ok());
  std::vector<std::string> row = RecordToCsvRow(SampleStudent());
  v1::Record record;
  row[0] = std::string(kMaxFieldBytes, 'a');
  EXPECT_TRUE(mapper->Fill(row, &record).ok());
  row[0] = "'-" + std::string(kMaxFieldBytes - 1, 'a');  // the quote does not count
  EXPECT_TRUE(mapper->Fill(row, &record).ok());
  row[0] = std::string(kMaxFieldBytes + 1, 'a');
  const absl::Status status = mapper->Fill(row, &record);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            absl::StrCat("returned_students.name: longer than ", kMaxFieldBytes, " bytes"));
}

TEST(RecordCsvTest, NoKindGivesAnEmptyRow) { EXPECT_TRUE(RecordToCsvRow(v1::Record()).empty()); }

}  // namespace
}  // namespace fedsync
