// Incremental aggregation (district_node/cell_updater.h) against the full recompute.
//
// The property: random sequences of creates, updates, deletes, restores and imports
// across every registry — records backdated, records leaving (end dates, deletes as of
// a past day, entered in error; certificates and aid visits deleted), invalid writes that must
// change nothing, and the calendar moving on across months and a new year — leave the stored exact
// cells equal to a full recompute, and the published cells equal to the privacy filter of it, for
// every metric and period, after every step. Deterministic: each sequence has a seed.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "district_node/cell_updater.h"
#include "district_node/registry.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/civil_date.h"
#include "shared/demo_data.h"
#include "shared/privacy_groups.h"
#include "shared/registry_kinds.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

using cell_testing::District;

// The default catalog plus event metrics by quarter and month (registrations, filed
// cases), more dimensions, cell-key metrics by quarter (whose perturbation keys must
// follow every write) and an event metric on aid visits, so that every period type and
// registry is exercised.
std::shared_ptr<const Catalog> RichCatalog() {
  const std::string extra = R"pb(
    metrics {
      id: "enterprises_by_industry_quarterly"
      registries: "enterprises"
      dimensions { name: "industry" field: "industry" binning: ENUM_NAME }
      dimensions { name: "region" field: "source_country" binning: COUNTRY_TO_REGION }
      time_basis: EVENT
      date_field: "registered_date"
      period_type: QUARTER
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "hardship_by_type_monthly"
      registries: "hardship_cases"
      dimensions { name: "type" field: "hardship_type" binning: ENUM_NAME }
      time_basis: EVENT
      date_field: "filed_date"
      period_type: MONTH
      disclosure { method: SUPPRESSION threshold: 2 }
    }
    metrics {
      id: "students_by_degree_perturbed"
      registries: "returned_students"
      dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: QUARTER
      disclosure { method: CELL_KEY }
    }
    metrics {
      id: "figures_by_category_and_gender"
      registries: "community_figures"
      dimensions { name: "category" field: "category" binning: ENUM_NAME }
      dimensions { name: "gender" field: "gender" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "aid_visits_by_kind"
      registries: "aid_visits"
      dimensions { name: "aid" field: "aid_kind" binning: ENUM_NAME }
      time_basis: EVENT
      date_field: "visit_date"
      period_type: MONTH
      disclosure { method: SUPPRESSION threshold: 3 }
    }
  )pb";
  auto catalog = Catalog::FromText(absl::StrCat(DefaultCatalogText(), extra));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  if (!catalog.ok()) return Catalog::Default();
  // Every suppressed metric is published (linked or of its own records), so that the
  // comparisons of published cells cover them (privacy_groups.h).
  for (const auto& [metric, reason] : UnlinkedMetrics((*catalog)->proto())) {
    ADD_FAILURE() << metric << " is withheld: " << reason;
  }
  return *catalog;
}

// Random writes, valid and not, over a pool of demo records of every kind.
class RandomWriter {
 public:
  RandomWriter(District* district, uint64_t seed) : district_(district), random_(seed) {
    for (const std::string& id : DemoDistrictIds()) {
      auto records = DemoRecords(id, 2025);
      EXPECT_TRUE(records.ok()) << records.status();
      if (records.ok()) pool_.insert(pool_.end(), records->begin(), records->end());
    }
    std::shuffle(pool_.begin(), pool_.end(), random_);
  }

  // One random operation; returns what it did, for failure messages.
  std::string Step() {
    wrote_ = moved_clock_ = false;
    const int choice = Uniform(0, 99);
    if (choice < 3) return MoveClock();
    if (choice < 30 || created_.empty()) return Create();
    if (choice < 55) return Update();
    if (choice < 72) return Delete();
    if (choice < 85) return Restore();
    return Import();
  }

  // Whether the last Step() committed a write, or moved the clock.
  bool wrote() const { return wrote_; }
  bool moved_clock() const { return moved_clock_; }
  // Committed writes by operation ("create", "update", ...) and created records by kind.
  const std::map<std::string, int>& committed() const { return committed_; }
  int succeeded() const { return succeeded_; }
  int failed() const { return failed_; }

 private:
  struct Created {
    std::string kind;
    int64_t id;
  };

  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }
  bool OneIn(int n) { return Uniform(1, n) == 1; }
  absl::CivilDay Today() { return district_->cells().Today(); }
  // A day between 2016 and today: backdated, often far.
  std::string RandomPastDate() {
    const absl::CivilDay first(2016, 1, 1);
    return FormatDate(first + Uniform(0, static_cast<int>(Today() - first)));
  }

  std::string Outcome(const std::string& what, const absl::Status& status) {
    (status.ok() ? succeeded_ : failed_) += 1;
    wrote_ = status.ok();
    if (status.ok()) ++committed_[what.substr(0, what.find(' '))];
    return absl::StrCat(what, status.ok() ? " ok" : absl::StrCat(" refused: ", status.message()));
  }

  // Changes one field that aggregation may read: a date (backdated, or an end date
  // set or cleared), an enum, a country. Key fields stay.
  void Mutate(v1::Record* record) {
    google::protobuf::Message* payload = MutableRecordPayload(*RegistryKindOf(*record), record);
    const google::protobuf::Descriptor* descriptor = payload->GetDescriptor();
    const google::protobuf::Reflection* reflection = payload->GetReflection();
    const RegistryKind& kind = *RegistryKindOf(*record);
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = descriptor->field(i);
      if (std::count(kind.key_fields.begin(), kind.key_fields.end(), field->name()) > 0) continue;
      const bool date = field->name().size() > 5 &&
                        field->name().compare(field->name().size() - 5, 5, "_date") == 0 &&
                        field->name() != "birth_date";
      const bool country = field->name().find("country") != std::string::npos;
      if (date || country || field->type() == google::protobuf::FieldDescriptor::TYPE_ENUM) {
        fields.push_back(field);
      }
    }
    if (fields.empty()) return;
    const google::protobuf::FieldDescriptor* field = fields[Uniform(0, fields.size() - 1)];
    if (field->type() == google::protobuf::FieldDescriptor::TYPE_ENUM) {
      const google::protobuf::EnumDescriptor* type = field->enum_type();
      reflection->SetEnum(payload, field, type->value(Uniform(1, type->value_count() - 1)));
    } else if (field->name().find("country") != std::string::npos) {
      static const char* kCountries[] = {"GB", "US", "JP", "SG", "DE", "AU", "CA", "MY", "FR"};
      reflection->SetString(payload, field, kCountries[Uniform(0, 8)]);
    } else if (field->name() == "closed_date" || field->name() == "lifted_date") {
      // Leaving the registry, as of a past day, or coming back.
      const bool leave = !OneIn(3);
      reflection->SetString(payload, field, leave ? RandomPastDate() : "");
      if (record->has_hardship_case()) {
        record->mutable_hardship_case()->set_status(leave ? v1::HARDSHIP_LIFTED
                                                          : v1::HARDSHIP_ACTIVE);
      }
    } else {
      reflection->SetString(payload, field, RandomPastDate());
    }
  }

  // A day of the last two months: the current period of a metric, or the one before.
  std::string RecentDate() { return FormatDate(Today() - Uniform(0, 60)); }

  std::string Create() {
    if (pool_.empty()) return "create skipped: pool empty";
    v1::Record record = pool_.back();
    pool_.pop_back();
    if (OneIn(2)) Mutate(&record);
    // Events of the current periods, which a deletion takes out again. The date is a
    // key field, which Mutate leaves alone.
    if (record.has_identity_certification() && OneIn(2)) {
      record.mutable_identity_certification()->set_issue_date(RecentDate());
    } else if (record.has_study_certificate() && OneIn(2)) {
      record.mutable_study_certificate()->set_issue_date(RecentDate());
    } else if (record.has_aid_visit() && OneIn(2)) {
      record.mutable_aid_visit()->set_visit_date(RecentDate());
    }
    // A visit to a family already on file, mostly: the pool's visits rarely meet their
    // household, and a visit refused for that exercises nothing else.
    if (record.has_aid_visit() && !OneIn(4)) {
      std::vector<int64_t> families;
      for (const Created& created : created_) {
        if (created.kind == "hardship_cases") families.push_back(created.id);
      }
      if (!families.empty()) {
        v1::GetRecordRequest get;
        get.set_kind("hardship_cases");
        get.set_id(families[Uniform(0, families.size() - 1)]);
        auto family = district_->registry().Get(get);
        if (family.ok()) {
          record.mutable_aid_visit()->set_household_resident_id(
              family->record().hardship_case().resident_id());
        }
      }
    }
    auto created = district_->registry().Create("test", record);
    if (created.ok()) {
      created_.push_back({RegistryKindOf(record)->name, created->id()});
      ++committed_[created_.back().kind];
    }
    return Outcome(absl::StrCat("create ", RegistryKindOf(record)->name), created.status());
  }

  absl::StatusOr<v1::RecordEntry> Pick(Created* which) {
    *which = created_[Uniform(0, created_.size() - 1)];
    v1::GetRecordRequest get;
    get.set_kind(which->kind);
    get.set_id(which->id);
    return district_->registry().Get(get);
  }

  std::string Update() {
    Created which;
    auto entry = Pick(&which);
    if (!entry.ok()) return Outcome("update: get", entry.status());
    v1::UpdateRecordRequest update;
    update.set_id(which.id);
    *update.mutable_record() = entry->record();
    Mutate(update.mutable_record());
    if (OneIn(3)) Mutate(update.mutable_record());
    return Outcome(absl::StrCat("update ", which.kind, " ", which.id),
                   district_->registry().Update("test", update).status());
  }

  std::string Delete() {
    Created which;
    auto entry = Pick(&which);
    if (!entry.ok()) return Outcome("delete: get", entry.status());
    v1::DeleteRecordRequest remove;
    remove.set_kind(which.kind);
    remove.set_id(which.id);
    remove.set_reason("test");
    const int how = Uniform(0, 3);
    if (how == 0) remove.set_entered_in_error(true);
    if (how == 1) remove.set_end_date(RandomPastDate());  // may be before its start: refused
    absl::CivilDay start;
    if (how == 3 && ParseDate(entry->start_date(), &start)) {
      // A day since it entered: in the period of an event, or a later one.
      remove.set_end_date(FormatDate(start + Uniform(0, static_cast<int>(Today() - start))));
    }
    const absl::Status status = district_->registry().Delete("test", remove).status();
    // Deleted event records (certificates, aid visits) leave the periods not yet ended.
    const bool event = which.kind == "identity_certifications" ||
                       which.kind == "study_certificates" || which.kind == "aid_visits";
    if (status.ok() && event && how != 0) ++committed_["delete-event-record"];
    return Outcome(absl::StrCat("delete ", which.kind, " ", which.id, " how ", how), status);
  }

  std::string Restore() {
    Created which;
    auto entry = Pick(&which);
    if (!entry.ok()) return Outcome("restore: get", entry.status());
    v1::RestoreRecordRequest restore;
    restore.set_kind(which.kind);
    restore.set_id(which.id);
    return Outcome(absl::StrCat("restore ", which.kind, " ", which.id),
                   district_->registry().Restore("test", restore).status());
  }

  // A batch of one kind: some records already stored (changed), some new.
  std::string Import() {
    Created which;
    auto entry = Pick(&which);
    if (!entry.ok()) return Outcome("import: get", entry.status());
    const RegistryKind& kind = *FindRegistryKind(which.kind);
    ImportOptions options;
    options.skip_invalid = OneIn(2);
    auto session = district_->registry().BeginImport(kind.name, options);
    if (!session.ok()) return Outcome("import: begin", session.status());
    v1::Record changed = entry->record();
    Mutate(&changed);
    if (!(*session)->Add(changed).ok()) return "import: spool failed";
    int added = 1;
    for (auto it = pool_.begin(); it != pool_.end() && added < 6;) {
      if (RegistryKindOf(*it) != &kind) {
        ++it;
        continue;
      }
      if (OneIn(2)) Mutate(&*it);
      if (!(*session)->Add(*it).ok()) return "import: spool failed";
      ++added;
      it = pool_.erase(it);
    }
    auto response = district_->registry().FinishImport("test", session->get());
    if (response.ok()) {
      // Find the new records' ids for later steps.
      v1::ListRecordsRequest list;
      list.set_kind(kind.name);
      list.set_page_size(1000);
      auto page = district_->registry().List(list);
      if (page.ok()) {
        for (const v1::RecordEntry& listed : page->entries()) {
          bool known = false;
          for (const Created& c : created_) known |= c.kind == kind.name && c.id == listed.id();
          if (!known) created_.push_back({kind.name, listed.id()});
        }
      }
    }
    return Outcome(absl::StrCat("import ", added, " ", kind.name), response.status());
  }

  std::string MoveClock() {
    const int days = Uniform(1, 75);
    district_->clock().Advance(absl::Hours(24 * days));
    moved_clock_ = true;
    return absl::StrCat("clock +", days, " days to ", FormatDate(Today()));
  }

  District* district_;
  std::mt19937_64 random_;
  std::vector<v1::Record> pool_;
  std::vector<Created> created_;
  std::map<std::string, int> committed_;
  bool wrote_ = false;
  bool moved_clock_ = false;
  int succeeded_ = 0;
  int failed_ = 0;
};

TEST(CellUpdaterPropertyTest, RandomWritesMatchAFullRecomputeAfterEveryStep) {
  struct Case {
    const char* name;
    std::shared_ptr<const Catalog> catalog;
  };
  const Case cases[] = {{"default catalog", Catalog::Default()}, {"rich catalog", RichCatalog()}};
  constexpr int kSequences = 12;
  constexpr int kSteps = 120;
  for (const Case& c : cases) {
    int succeeded = 0, failed = 0;
    std::map<std::string, int> committed;
    bool crossed_year = false;
    for (int sequence = 0; sequence < kSequences; ++sequence) {
      const uint64_t seed = 1000 + sequence;
      // Half the sequences start late in the year, so that they cross into the next.
      const absl::CivilDay start =
          sequence % 2 == 0 ? absl::CivilDay(2026, 1, 15) : absl::CivilDay(2026, 11, 20);
      District district(c.catalog, start);
      RandomWriter writer(&district, seed);
      // After the clock moved, the stored cells may be of a past calendar until the
      // next committed write (whose Apply must notice) or the publisher's check.
      bool maybe_stale = false;
      for (int step = 0; step < kSteps && !::testing::Test::HasFailure(); ++step) {
        const std::string what = writer.Step();
        maybe_stale = writer.moved_clock() || (maybe_stale && !writer.wrote());
        if (maybe_stale && step % 5 == 4) {
          ASSERT_TRUE(district.EnsureCurrent().ok());
          maybe_stale = false;
        }
        if (maybe_stale) continue;
        district.ExpectMatchesRecompute(
            absl::StrCat(c.name, ", seed ", seed, ", step ", step, ": ", what));
      }
      crossed_year |= district.cells().Today().year() > 2026;
      for (const auto& [what, count] : writer.committed()) committed[what] += count;
      succeeded += writer.succeeded();
      failed += writer.failed();
    }
    // The sequences must have exercised something: mostly accepted writes, some refused.
    EXPECT_GT(succeeded, kSequences * kSteps / 2) << c.name;
    EXPECT_GT(failed, 0) << c.name << ": no refused write was tried";
    EXPECT_TRUE(crossed_year) << c.name;
    for (const char* what :
         {"create", "update", "delete", "restore", "import", "delete-event-record"}) {
      EXPECT_GT(committed[what], 0) << c.name << ": no " << what << " committed";
    }
    for (const RegistryKind& kind : AllRegistryKinds()) {
      EXPECT_GT(committed[kind.name], 0) << c.name << ": no " << kind.name << " created";
    }
  }
}

}  // namespace
}  // namespace fedsync
