// Guarantee 1 end to end ("personal data stays home"): a district imports records whose
// names, resident IDs, phone numbers and communities are unique canary strings; after the
// tree converges, none of those strings may appear in any message (or call metadata) the
// district sent up its link, in any byte of the city's or the province's database files
// (db, -wal, -shm) and logs, nor in the district's own log. The link runs on mutual TLS
// like every other, so its bytes are ciphertext: the district's messages are read by a
// recording relay (tests/integration/sync_relay.h) that the district dials as its city,
// and that passes them on to the city as the district.
// Positive controls make the search meaningful: the canaries are found in the district's
// own database, and the recorded messages hold the district's cell batches and what is
// meant to travel in them (metric ids).
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "shared/demo_data.h"
#include "shared/registry_kinds.h"
#include "shared/resident_id.h"
#include "tests/integration/federation_check.h"
#include "tests/integration/sync_relay.h"
#include "tests/integration/tree.h"

namespace fedsync::testing {
namespace {

constexpr int kRecordsPerKind = 12;

// The database files and log of node `id` in `dir` that exist (-wal and -shm may not).
std::vector<std::string> NodeFiles(const TempDir& dir, const std::string& id) {
  std::vector<std::string> files;
  for (const std::string suffix : {".db", ".db-wal", ".db-shm", ".log"}) {
    const std::string path = dir.File(id + suffix);
    if (std::filesystem::exists(path)) files.push_back(path);
  }
  return files;
}

// Canary strings, unique per record and field: no generated record, catalog word or
// protocol text contains them.
struct Canaries {
  std::vector<std::string> all;

  std::string Name(const std::string& kind, int i) {
    return Add(absl::StrFormat("金丝雀%sCanaryName%03d", kind.substr(0, 4), i));
  }
  std::string Community(const std::string& kind, int i) {
    return Add(absl::StrFormat("金丝雀街道Canary%sCommunity%03d社区", kind.substr(0, 4), i));
  }
  std::string Phone(int serial) { return Add(absl::StrFormat("1390713%04d", serial)); }
  // A valid ID (check digit and all) with the same region, birth date and sex (the
  // sequence's parity) as `like`, so the rest of the record stays valid.
  std::string ResidentId(const std::string& like, int serial) {
    const int odd = (like[16] - '0') % 2;
    return Add(MakeResidentId(like.substr(0, 6), like.substr(6, 8), 400 + 2 * serial + odd));
  }
  std::string Add(std::string canary) {
    all.push_back(canary);
    return canary;
  }
};

std::vector<v1::Record> Generated(const std::string& kind, uint64_t seed) {
  auto records = GeneratedRecords(*FindRegistryKind(kind), kRecordsPerKind, seed, DemoYear());
  return records.ok() ? *records : std::vector<v1::Record>();
}

// The canaries that occur in `bytes`.
std::vector<std::string> Found(const std::string& bytes, const std::vector<std::string>& canaries) {
  std::vector<std::string> found;
  for (const std::string& canary : canaries) {
    if (bytes.find(canary) != std::string::npos) found.push_back(canary);
  }
  return found;
}

TEST(CanaryTest, NoPersonalStringLeavesTheDistrict) {
  TempDir dir;
  auto province = StartNode(dir, "anhui", "province", "127.0.0.1:0", {});
  ASSERT_TRUE(province.ok()) << province.status();
  auto city = StartNode(dir, "hefei", "city", "127.0.0.1:0", {(*province)->address(), "anhui"});
  ASSERT_TRUE(city.ok()) << city.status();
  auto relay = SyncRelay::Start((*city)->address(), "hefei", "luyang");
  ASSERT_TRUE(relay.ok()) << relay.status();
  auto district = StartNode(dir, "luyang", "district", "127.0.0.1:0",
                            {(*relay)->address(), "hefei"}, {"--debounce-ms=0"});
  ASSERT_TRUE(district.ok()) << district.status();

  Canaries canaries;
  int serial = 0;
  std::vector<v1::Record> students = Generated("returned_students", 31);
  std::vector<v1::Record> hardship = Generated("hardship_cases", 32);
  std::vector<v1::Record> certifications = Generated("identity_certifications", 33);
  ASSERT_EQ(students.size(), kRecordsPerKind);
  ASSERT_EQ(hardship.size(), kRecordsPerKind);
  ASSERT_EQ(certifications.size(), kRecordsPerKind);
  for (int i = 0; i < kRecordsPerKind; ++i) {
    v1::ReturnedStudent& s = *students[i].mutable_returned_student();
    s.set_name(canaries.Name("student", i));
    s.set_resident_id(canaries.ResidentId(s.resident_id(), ++serial));
    s.set_phone(canaries.Phone(serial));
    s.set_community(canaries.Community("student", i));
    v1::HardshipCase& h = *hardship[i].mutable_hardship_case();
    h.set_head_name(canaries.Name("hardship", i));
    h.set_resident_id(canaries.ResidentId(h.resident_id(), ++serial));
    h.set_phone(canaries.Phone(serial));
    h.set_community(canaries.Community("hardship", i));
    v1::IdentityCertification& c = *certifications[i].mutable_identity_certification();
    c.set_applicant_name(canaries.Name("certification", i));
    c.set_resident_id(canaries.ResidentId(c.resident_id(), ++serial));
    c.set_community(canaries.Community("certification", i));
  }
  const std::set<std::string> unique(canaries.all.begin(), canaries.all.end());
  ASSERT_EQ(unique.size(), canaries.all.size()) << "canaries must be unique";

  for (const auto& [kind, records] : std::vector<std::pair<std::string, std::vector<v1::Record>>>{
           {"returned_students", students},
           {"hardship_cases", hardship},
           {"identity_certifications", certifications}}) {
    const std::string file = dir.File(kind + ".csv");
    WriteCsv(file, records);
    CommandOutput imported = ImportCsv((*district)->address(), "luyang", kind, file);
    ASSERT_EQ(imported.exit_code, 0) << kind << ": " << imported.err << imported.out;
  }

  // Converged, and the province really holds the district's numbers.
  const std::string year = std::to_string(CurrentYear());
  absl::Status converged = WaitFor(
      [&]() -> absl::Status {
        absl::Status tree =
            CheckTreeConverged((*province)->address(), "anhui", {"hefei", "luyang"});
        if (!tree.ok()) return tree;
        auto rollup =
            Admin((*province)->address(), "anhui").Rollup("returned_students_total", year);
        if (!rollup.ok()) return rollup.status();
        if (TotalOf(*rollup, "anhui", year) < 0) {
          return absl::UnavailableError("the province has no student total yet");
        }
        return absl::OkStatus();
      },
      absl::Seconds(60));
  ASSERT_TRUE(converged.ok()) << converged;

  // Positive controls: the search finds what is there.
  std::string district_db;
  for (const std::string suffix : {".db", ".db-wal"}) {
    district_db += FileContents(dir.File("luyang" + suffix));
  }
  EXPECT_EQ(Found(district_db, canaries.all).size(), canaries.all.size())
      << "every canary must be findable in the district's own database";
  // Every message the district sent, and the cell batches (with a metric id) among them.
  std::string sent;
  std::vector<std::string> sent_strings;
  int batches = 0;
  bool students_metric_sent = false;
  for (const RecordedUpMessage& message : (*relay)->UpMessages()) {
    sent += message.serialized;
    sent_strings.insert(sent_strings.end(), message.strings.begin(), message.strings.end());
    if (message.kind != v1::UpMessage::kBatch) continue;
    ++batches;
    for (const std::string& text : message.strings) {
      if (text == "returned_students_total") students_metric_sent = true;
    }
  }
  ASSERT_GT(batches, 0) << "the relay must have recorded the district's cell batches";
  ASSERT_TRUE(students_metric_sent) << "the recorded batches must carry the district's cells";
  ASSERT_NE(sent.find("returned_students_total"), std::string::npos)
      << "the recorded message bytes must be searchable";

  // What left the district: in the messages' bytes, in each of their text fields, and in
  // the metadata the district opened its calls with.
  std::vector<std::string> leaked = Found(sent, canaries.all);
  EXPECT_TRUE(leaked.empty()) << "sent upstream: " << leaked.size() << " canaries, first "
                              << leaked[0];
  for (const std::string& text : sent_strings) {
    leaked = Found(text, canaries.all);
    EXPECT_TRUE(leaked.empty()) << "a text field sent upstream holds " << leaked[0];
  }
  const std::vector<std::string> metadata = (*relay)->ChildMetadata();
  ASSERT_FALSE(metadata.empty()) << "the relay must have recorded the calls' metadata";
  for (const std::string& entry : metadata) {
    leaked = Found(entry, canaries.all);
    EXPECT_TRUE(leaked.empty()) << "call metadata sent upstream holds " << leaked[0];
  }
  // What the city and the province keep, and what they and the district log.
  std::vector<std::string> files = NodeFiles(dir, "hefei");
  for (const std::string& file : NodeFiles(dir, "anhui")) files.push_back(file);
  files.push_back(dir.File("luyang.log"));
  ASSERT_GE(files.size(), 5u);
  for (const std::string& file : files) {
    leaked = Found(FileContents(file), canaries.all);
    EXPECT_TRUE(leaked.empty()) << file << ": " << leaked.size() << " canaries, first "
                                << leaked[0];
  }
}

}  // namespace
}  // namespace fedsync::testing
