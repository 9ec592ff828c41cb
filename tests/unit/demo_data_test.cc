#include "shared/demo_data.h"

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "shared/civil_date.h"
#include "shared/csv.h"
#include "shared/record_csv.h"
#include "shared/record_validation.h"
#include "shared/resident_id.h"

namespace fedsync {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr int kYear = 2026;

struct DistrictCounts {
  std::string id;
  std::string region_code;
  int returned_students;
  int approved_certifications;
  int approved_study_certificates;
  // In the registry at the end of the year (besides 2 closed / 2 lifted).
  int enterprises;
  int community_figures;
  int hardship_cases;
};

// Luyang's are the report's: 53 / 27 / 112 / 7 and 11 + 20.
const DistrictCounts kDistricts[] = {
    {"luyang", "340103", 53, 11, 20, 27, 112, 7},
    {"yaohai", "340102", 38, 8, 12, 19, 84, 5},
    {"shushan", "340104", 71, 14, 25, 34, 131, 9},
    {"baohe", "340111", 46, 9, 15, 22, 96, 6},
};

std::vector<v1::Record> Demo(const std::string& district, int year = kYear) {
  absl::StatusOr<std::vector<v1::Record>> records = DemoRecords(district, year);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *std::move(records) : std::vector<v1::Record>();
}

int IssueYear(const std::string& issue_date) { return std::stoi(issue_date.substr(0, 4)); }

TEST(DemoDataTest, DistrictIds) {
  EXPECT_EQ(DemoDistrictIds(), (std::vector<std::string>{"luyang", "yaohai", "shushan", "baohe"}));
}

TEST(DemoDataTest, ExactCountsPerDistrict) {
  for (const DistrictCounts& d : kDistricts) {
    SCOPED_TRACE(d.id);
    int students = 0;
    int open_enterprises = 0, closed_enterprises = 0, figures = 0;
    int active_cases = 0, lifted_cases = 0, aid_visits = 0;
    // (outcome, year) -> count
    std::map<std::pair<v1::Outcome, int>, int> certifications, study_certificates;
    for (const v1::Record& record : Demo(d.id)) {
      switch (record.kind_case()) {
        case v1::Record::kReturnedStudent: {
          ++students;
          const std::string& registered = record.returned_student().registered_date();
          EXPECT_GE(registered, "2018-01-01");
          EXPECT_LE(registered, "2026-11-30");
          break;
        }
        case v1::Record::kIdentityCertification: {
          const auto& c = record.identity_certification();
          ++certifications[{c.outcome(), IssueYear(c.issue_date())}];
          break;
        }
        case v1::Record::kStudyCertificate: {
          const auto& c = record.study_certificate();
          ++study_certificates[{c.outcome(), IssueYear(c.issue_date())}];
          break;
        }
        case v1::Record::kEnterprise:
          ++(record.enterprise().closed_date().empty() ? open_enterprises : closed_enterprises);
          break;
        case v1::Record::kCommunityFigure:
          ++figures;
          break;
        case v1::Record::kHardshipCase:
          ++(record.hardship_case().status() == v1::HARDSHIP_ACTIVE ? active_cases : lifted_cases);
          break;
        case v1::Record::kAidVisit:
          ++aid_visits;
          break;
        default:
          ADD_FAILURE() << "record without a kind";
      }
    }
    EXPECT_EQ(students, d.returned_students);
    EXPECT_EQ(open_enterprises, d.enterprises);
    EXPECT_EQ(closed_enterprises, 2);
    EXPECT_EQ(figures, d.community_figures);
    EXPECT_EQ(active_cases, d.hardship_cases);
    EXPECT_EQ(lifted_cases, 2);
    // Two or three visits per family.
    EXPECT_GE(aid_visits, 2 * (d.hardship_cases + 2));
    EXPECT_LE(aid_visits, 3 * (d.hardship_cases + 2));
    EXPECT_EQ(certifications, (std::map<std::pair<v1::Outcome, int>, int>{
                                  {{v1::APPROVED, kYear}, d.approved_certifications},
                                  {{v1::REJECTED, kYear}, 2},
                                  {{v1::APPROVED, kYear - 1}, 5}}));
    EXPECT_EQ(study_certificates, (std::map<std::pair<v1::Outcome, int>, int>{
                                      {{v1::APPROVED, kYear}, d.approved_study_certificates},
                                      {{v1::REJECTED, kYear}, 1},
                                      {{v1::APPROVED, kYear - 1}, 4}}));
  }
}

TEST(DemoDataTest, EveryRecordValidatesAndKeysAreUnique) {
  for (int year : {2018, kYear, 2100}) {
    for (const DistrictCounts& d : kDistricts) {
      SCOPED_TRACE(d.id + " " + std::to_string(year));
      const absl::CivilDay today(year, 12, 31);
      absl::flat_hash_set<std::string> ids, keys;
      int from_district = 0, with_id = 0;
      const std::vector<v1::Record> records = Demo(d.id, year);
      for (const v1::Record& record : records) {
        const absl::Status status = ValidateRecord(record, today);
        EXPECT_TRUE(status.ok()) << status.message();
        const RegistryKind& kind = *RegistryKindOf(record);
        EXPECT_TRUE(keys.insert(kind.name + ":" + NaturalKey(kind, RecordPayload(record))).second);
        // Enterprises, community figures and aid visits carry no resident_id of their own.
        const std::string id = FieldText(RecordPayload(record), "resident_id");
        if (id.empty()) continue;
        ++with_id;
        EXPECT_TRUE(ids.insert(id).second) << "duplicate resident ID";
        from_district += id.substr(0, 6) == d.region_code;
      }
      // Most people were registered in the district itself.
      EXPECT_GT(from_district * 2, with_id);
    }
  }
}

TEST(DemoDataTest, StudentsLookLikeTheRegistry) {
  std::map<std::string, int> countries;
  std::map<v1::Degree, int> degrees;
  for (const DistrictCounts& d : kDistricts) {
    std::map<std::string, int> district_countries;
    for (const v1::Record& record : Demo(d.id)) {
      if (!record.has_returned_student()) continue;
      const v1::ReturnedStudent& s = record.returned_student();
      const int age = kYear - std::stoi(s.birth_date().substr(0, 4));
      EXPECT_GE(age, 24);
      EXPECT_LE(age, 50);
      EXPECT_GE(s.return_year(), 2005);
      EXPECT_LE(s.return_year(), kYear);
      EXPECT_FALSE(s.phone().empty());
      ++district_countries[s.study_country()];
      ++countries[s.study_country()];
      ++degrees[s.degree()];
    }
    // A varied breakdown with at least one cell of one, for the suppression rule.
    EXPECT_GE(district_countries.size(), 6u) << d.id;
    int singletons = 0;
    for (const auto& [country, n] : district_countries) singletons += n == 1;
    EXPECT_GE(singletons, 1) << d.id;
  }
  int common = 0;
  for (const char* code : {"GB", "US", "AU", "JP", "DE", "CA", "FR", "KR", "SG", "NZ"}) {
    common += countries[code];
  }
  EXPECT_GT(common * 10, (53 + 38 + 71 + 46) * 7) << "mostly the common countries";
  EXPECT_GT(degrees[v1::MASTER], degrees[v1::DOCTORATE]);
  EXPECT_GT(degrees[v1::DOCTORATE], 0);
  EXPECT_GT(degrees[v1::BACHELOR], 0);
  EXPECT_GT(degrees[v1::POSTDOCTORAL], 0);
}

TEST(DemoDataTest, IssueDatesAreSpreadOverTheYear) {
  std::set<int> months;
  for (const v1::Record& record : Demo("luyang")) {
    if (record.has_study_certificate() &&
        IssueYear(record.study_certificate().issue_date()) == kYear) {
      const std::string& date = record.study_certificate().issue_date();
      EXPECT_LE(date, "2026-11-30");
      months.insert(std::stoi(date.substr(5, 2)));
    }
  }
  EXPECT_EQ(months.size(), 11u);
}

TEST(DemoDataTest, Deterministic) {
  for (const DistrictCounts& d : kDistricts) {
    const std::vector<v1::Record> first = Demo(d.id);
    const std::vector<v1::Record> second = Demo(d.id);
    ASSERT_EQ(first.size(), second.size());
    for (size_t i = 0; i < first.size(); ++i) {
      EXPECT_TRUE(MessageDifferencer::Equals(first[i], second[i])) << d.id << " " << i;
    }
  }
  EXPECT_FALSE(MessageDifferencer::Equals(Demo("luyang")[0], Demo("luyang", kYear - 1)[0]));
}

TEST(DemoDataTest, RefusesUnknownDistrictsAndYears) {
  EXPECT_EQ(DemoRecords("hefei", kYear).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(DemoRecords("luyang", 2017).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DemoRecords("luyang", 2101).status().code(), absl::StatusCode::kInvalidArgument);
}

// Writes `records` of one kind as CSV and reads them back through the importer's path.
std::vector<v1::Record> ThroughCsv(const RegistryKind& kind,
                                   const std::vector<v1::Record>& records) {
  std::string text = FormatCsvRow(CsvHeader(kind));
  for (const v1::Record& record : records) text += FormatCsvRow(RecordToCsvRow(record));
  std::istringstream in(text);
  CsvReader reader(&in);
  std::vector<std::string> fields;
  EXPECT_TRUE(reader.Next(&fields).value_or(false));
  absl::StatusOr<RecordCsvMapper> mapper = RecordCsvMapper::Create(kind.name, fields);
  EXPECT_TRUE(mapper.ok()) << mapper.status();
  std::vector<v1::Record> read;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    v1::Record record;
    EXPECT_TRUE(mapper->Fill(fields, &record).ok()) << "line " << reader.line();
    read.push_back(record);
  }
  return read;
}

TEST(DemoDataTest, ExportThenImportGivesTheSameRecords) {
  for (const DistrictCounts& d : kDistricts) {
    const std::vector<v1::Record> all = Demo(d.id);
    for (const RegistryKind& kind : AllRegistryKinds()) {
      SCOPED_TRACE(d.id + " " + kind.name);
      std::vector<v1::Record> of_kind;
      for (const v1::Record& record : all) {
        if (record.kind_case() == kind.record_case) of_kind.push_back(record);
      }
      ASSERT_FALSE(of_kind.empty());
      const std::vector<v1::Record> read = ThroughCsv(kind, of_kind);
      ASSERT_EQ(read.size(), of_kind.size());
      for (size_t i = 0; i < read.size(); ++i) {
        EXPECT_TRUE(MessageDifferencer::Equals(read[i], of_kind[i])) << i;
      }
    }
  }
}

TEST(GeneratedRecordsTest, ManyUniqueValidRecordsOfEveryKind) {
  const absl::CivilDay today(kYear, 12, 31);
  for (const RegistryKind& kind : AllRegistryKinds()) {
    SCOPED_TRACE(kind.name);
    const int64_t count = kind.record_case == v1::Record::kReturnedStudent ? 50000 : 5000;
    absl::StatusOr<std::vector<v1::Record>> records = GeneratedRecords(kind, count, 7, kYear);
    if (kind.record_case == v1::Record::kCommunityFigure ||
        kind.record_case == v1::Record::kAidVisit) {
      // No stream: their keys cannot be kept unique (see demo_data.cc).
      EXPECT_EQ(records.status().code(), absl::StatusCode::kUnimplemented);
      continue;
    }
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_EQ(static_cast<int64_t>(records->size()), count);
    absl::flat_hash_set<std::string> ids;
    for (const v1::Record& record : *records) {
      ASSERT_EQ(record.kind_case(), kind.record_case);
      const absl::Status status = ValidateRecord(record, today);
      ASSERT_TRUE(status.ok()) << status.message();
      ASSERT_TRUE(ids.insert(NaturalKey(kind, RecordPayload(record))).second)
          << "duplicate key";
    }
  }
}

TEST(GeneratedRecordsTest, DeterministicPerSeedAndStreamable) {
  const RegistryKind& kind = *FindRegistryKind("returned_students");
  const std::vector<v1::Record> first = GeneratedRecords(kind, 500, 42, kYear).value();
  const std::vector<v1::Record> second = GeneratedRecords(kind, 500, 42, kYear).value();
  const std::vector<v1::Record> other = GeneratedRecords(kind, 500, 43, kYear).value();
  absl::StatusOr<GeneratedRecordStream> stream =
      GeneratedRecordStream::Create(kind, 500, 42, kYear);
  ASSERT_TRUE(stream.ok());
  int differing = 0;
  v1::Record streamed;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(first[i], second[i])) << i;
    ASSERT_TRUE(stream->Next(&streamed));
    EXPECT_TRUE(MessageDifferencer::Equals(first[i], streamed)) << i;
    differing += !MessageDifferencer::Equals(first[i], other[i]);
  }
  EXPECT_FALSE(stream->Next(&streamed));
  EXPECT_GT(differing, 490);
}

TEST(GeneratedRecordsTest, RefusesBadArguments) {
  const RegistryKind& kind = *FindRegistryKind("study_certificates");
  EXPECT_TRUE(GeneratedRecords(kind, 0, 1, kYear).value().empty());
  EXPECT_EQ(GeneratedRecords(kind, -1, 1, kYear).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GeneratedRecords(kind, 10'000'001, 1, kYear).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GeneratedRecords(kind, 10, 1, 2017).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedsync
