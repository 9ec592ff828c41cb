// The privacy filter in the district's publication path (district_node/cell_publication.h):
// suppression decided table-wide over linked tables (primary, then secondary, then the
// audit), re-decided on each write with only the changed cells re-published; the
// dominance rule by contributor on sums, with clamping; DP noise drawn once and kept in
// the ledger, its budget refused when spent, across restarts; and the time adversary
// against DP.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "district_node/cell_publication.h"
#include "district_node/cell_updater.h"
#include "district_node/import_session.h"
#include "district_node/registry.h"
#include "district_node/registry_store.h"
#include "gtest/gtest.h"
#include "shared/catalog.h"
#include "shared/credit_code.h"
#include "shared/privacy/disclosure_audit.h"
#include "shared/privacy/privacy_ledger.h"
#include "shared/privacy_floor.h"
#include "shared/privacy_groups.h"
#include "shared/privacy_suppression.h"
#include "shared/resident_id.h"
#include "shared/status_macros.h"
#include "tests/unit/cell_test_support.h"

namespace fedsync {
namespace {

using cell_testing::District;

const absl::CivilDay kToday(2026, 11, 30);

v1::Record Student(int sequence, const std::string& country,
                   v1::Degree degree = v1::MASTER) {
  v1::Record record;
  v1::ReturnedStudent* s = record.mutable_returned_student();
  s->set_name("赵敏");
  s->set_resident_id(MakeResidentId("340103", "19910101", sequence));
  s->set_gender(ResidentIdIsMale(s->resident_id()) ? v1::MALE : v1::FEMALE);
  s->set_birth_date("1991-01-01");
  s->set_study_country(country);
  s->set_degree(degree);
  s->set_return_year(2017);
  s->set_community("林店街道金池社区");
  s->set_registered_date("2026-02-01");
  return record;
}

v1::Record Enterprise(int sequence, const std::string& country, int64_t capital) {
  v1::Record record;
  v1::Enterprise* e = record.mutable_enterprise();
  e->set_name(absl::StrCat("合肥侨兴贸易有限公司", sequence));
  e->set_credit_code(MakeCreditCode(absl::StrCat("91340103MA2N", 10000 + sequence)));
  e->set_funding_type(v1::OVERSEAS_CHINESE_FUNDED);
  e->set_source_country(country);
  e->set_industry(v1::INDUSTRY_F_WHOLESALE_RETAIL);
  e->set_registered_capital_yuan(capital);
  e->set_employees(10);
  e->set_founding_year(2010);
  e->set_community("林店街道金池社区");
  e->set_registered_date("2026-03-01");
  return record;
}

// The local record of why cells are suppressed: dims -> "primary" / "secondary".
std::map<std::string, std::string> Decisions(NodeStore& store, const std::string& metric) {
  std::map<std::string, std::string> rules;
  EXPECT_TRUE(store.Read([&](Database* db) -> absl::Status {
    ASSIGN_OR_RETURN(Statement select,
                     db->Prepare("SELECT dims, rule FROM suppression_decisions "
                                 "WHERE metric = ? AND period = '2026'"));
    select.Bind(1, metric);
    while (true) {
      ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      rules[select.ColumnText(0)] = select.ColumnText(1);
    }
    return absl::OkStatus();
  }).ok());
  return rules;
}

CellValue At(const CellMap& cells, const std::string& metric, const std::string& dims) {
  auto it = cells.find(CellKey{metric, "2026", dims});
  return it == cells.end() ? CellValue{-1, v1::CELL_STATUS_UNSPECIFIED} : it->second;
}

void CreateAll(District& district, const std::vector<v1::Record>& records) {
  for (const v1::Record& record : records) {
    auto created = district.registry().Create("test", record);
    ASSERT_TRUE(created.ok()) << created.status();
  }
}

constexpr char kByRegion[] = "returned_students_by_region";

// 6 students from Japan, 5 from the US, 1 from Britain: Europe below the threshold.
std::vector<v1::Record> EuropeBelowThreshold() {
  std::vector<v1::Record> records;
  for (int i = 0; i < 6; ++i) records.push_back(Student(i + 1, "JP"));
  for (int i = 0; i < 5; ++i) records.push_back(Student(i + 11, "US"));
  records.push_back(Student(21, "GB"));
  return records;
}

// 6 students from Japan, 5 from the US, 1 from Britain: Europe is primary-suppressed;
// the region table and the total are linked (total = sum of regions), so one more
// region must go, the smallest (north_america); the total, degree and return-year
// tables stay published. The outside attacker's LP, built here from what was
// published, cannot pin Europe down.
TEST(SuppressionPublicationTest, LinkedTablesGetPrimaryAndSecondarySuppression) {
  District district(Catalog::Default(), kToday);
  CreateAll(district, EuropeBelowThreshold());
  district.ExpectMatchesRecompute("12 students");

  auto published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(At(*published, "returned_students_total", ""), (CellValue{12, v1::OK}));
  EXPECT_EQ(At(*published, kByRegion, "region=east_asia"), (CellValue{6, v1::OK}));
  EXPECT_EQ(At(*published, kByRegion, "region=europe"), (CellValue{0, v1::SUPPRESSED}));
  EXPECT_EQ(At(*published, kByRegion, "region=north_america"), (CellValue{0, v1::SUPPRESSED}));
  EXPECT_EQ(At(*published, "returned_students_by_degree", "degree=master"),
            (CellValue{12, v1::OK}));
  // Primary and secondary are told apart only in the district's own table.
  EXPECT_EQ(Decisions(district.store(), kByRegion),
            (std::map<std::string, std::string>{{"region=europe", "primary"},
                                                {"region=north_america", "secondary"}}));

  // The attacker: total = east_asia + europe + north_america, the published values known,
  // cells >= 0. Europe (threshold 3: width 2) must keep an interval of at least 2.
  privacy::LinkedTables seen;
  seen.cells = {{"total", 12}, {"east_asia", 6}, {"europe", 1}, {"north_america", 5}};
  seen.cells[2].state = privacy::CellState::kPrimary;
  seen.cells[2].protection_width = 2;
  seen.cells[2].singleton = true;
  seen.cells[3].state = privacy::CellState::kSecondary;
  seen.equations = {{0, {1, 2, 3}}};
  auto report = privacy::AuditSuppression(seen);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed());
  EXPECT_GE(report->cells[0].upper - report->cells[0].lower, 2.0);
}

// 6 from Japan, 5 from the US, and one each from Britain, Australia and South Africa:
// three regions of one student, 3 between them. Anyone reading the publication knows a
// SUPPRESSED region has a student, so three suppressed regions summing to 3 would be
// one each: another region must be suppressed too.
TEST(SuppressionPublicationTest, SuppressedCountCellsAreKnownToHoldOneEach) {
  District district(Catalog::Default(), kToday);
  std::vector<v1::Record> records;
  for (int i = 0; i < 6; ++i) records.push_back(Student(i + 1, "JP"));
  for (int i = 0; i < 5; ++i) records.push_back(Student(i + 11, "US"));
  records.push_back(Student(21, "GB"));
  records.push_back(Student(22, "AU"));
  records.push_back(Student(23, "ZA"));
  CreateAll(district, records);
  district.ExpectMatchesRecompute("14 students");
  auto published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(At(*published, "returned_students_total", ""), (CellValue{14, v1::OK}));
  int suppressed = 0;
  int64_t hidden = 14;
  for (const std::string region : {"east_asia", "north_america", "europe", "oceania", "africa"}) {
    const CellValue value = At(*published, kByRegion, "region=" + region);
    ASSERT_NE(value.status, v1::CELL_STATUS_UNSPECIFIED) << region;
    if (value.status == v1::SUPPRESSED) {
      ++suppressed;
    } else {
      hidden -= value.value;
    }
  }
  EXPECT_GE(suppressed, 4);
  // Each suppressed region is >= 1, so each is at most hidden - (suppressed - 1): Europe
  // (1) keeps an interval of at least the threshold's width, 2.
  EXPECT_GE(hidden - (suppressed - 1) - 1, 2);
}

// A write re-decides the whole unit but re-publishes only what changed; when Europe
// reaches the threshold both suppressions lift.
TEST(SuppressionPublicationTest, WritesRepublishOnlyChangedCells) {
  District district(Catalog::Default(), kToday);
  CreateAll(district, EuropeBelowThreshold());

  const uint64_t before = district.store().max_seq();
  CreateAll(district, {Student(31, "JP")});
  district.ExpectMatchesRecompute("one more from Japan");
  auto sent = district.store().CellsAfter(before, 100);
  ASSERT_TRUE(sent.ok());
  std::set<std::string> changed;
  for (const v1::Cell& cell : *sent) changed.insert(absl::StrCat(cell.metric(), " ", CanonicalDims(cell.dims())));
  EXPECT_EQ(changed, (std::set<std::string>{
                         "returned_students_total ", "returned_students_by_region region=east_asia",
                         "returned_students_by_degree degree=master",
                         "returned_students_by_return_year returned=2015-2019"}));

  CreateAll(district, {Student(32, "GB"), Student(33, "FR")});
  district.ExpectMatchesRecompute("Europe at 3");
  auto published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(At(*published, kByRegion, "region=europe"), (CellValue{3, v1::OK}));
  EXPECT_EQ(At(*published, kByRegion, "region=north_america"), (CellValue{5, v1::OK}));
  EXPECT_TRUE(Decisions(district.store(), kByRegion).empty());
}

// An import that moves capital between four enterprises from Japan leaves the region's
// total as it was, but one of them now holds 97% of it: the dominance rule must judge
// the cell again, though its value did not change.
TEST(SuppressionPublicationTest, AnImportThatShiftsSharesReDecidesTheCell) {
  const std::string metric = "enterprises_capital_by_source_region";
  District district(Catalog::Default(), kToday);
  std::vector<v1::Record> equal;
  for (int i = 0; i < 4; ++i) equal.push_back(Enterprise(i + 1, "JP", 1'000'000));
  CreateAll(district, equal);
  auto published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
  ASSERT_TRUE(published.ok());
  ASSERT_EQ(At(*published, metric, "region=east_asia"), (CellValue{4'000'000, v1::OK}));
  std::vector<v1::Record> shifted;
  for (int i = 0; i < 4; ++i) {
    shifted.push_back(Enterprise(i + 1, "JP", i == 0 ? 3'880'000 : 40'000));
  }
  auto session = district.registry().BeginImport("enterprises", ImportOptions());
  ASSERT_TRUE(session.ok()) << session.status();
  for (const v1::Record& record : shifted) ASSERT_TRUE((*session)->Add(record).ok());
  auto imported = district.registry().FinishImport("importer", session->get());
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->updated(), 4);
  district.ExpectMatchesRecompute("shares shifted");
  published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(At(*published, metric, "region=east_asia").status, v1::SUPPRESSED);
}

// Registered capital by source region (a sum): three enterprises from Singapore where
// one holds 90% fail the dominance rule (2, 85) although the threshold holds; three equal
// ones from the US are published. With magnitude_max, each enterprise's capital is
// clamped before it is summed.
TEST(SuppressionPublicationTest, DominanceJudgesSumsByContributorAndClamps) {
  const std::string metric = "enterprises_capital_by_source_region";
  {
    District district(Catalog::Default(), kToday);
    CreateAll(district, {Enterprise(1, "SG", 9000000), Enterprise(2, "SG", 500000),
                         Enterprise(3, "SG", 500000), Enterprise(4, "US", 1000000),
                         Enterprise(5, "US", 1000000), Enterprise(6, "US", 1000000)});
    district.ExpectMatchesRecompute("six enterprises");
    auto published = cell_testing::ReadPublished(district.store(), *Catalog::Default());
    ASSERT_TRUE(published.ok());
    EXPECT_EQ(At(*published, metric, "region=southeast_asia").status, v1::SUPPRESSED);
  }
  {
    v1::Catalog proto = Catalog::Default()->proto();
    for (v1::MetricDef& def : *proto.mutable_metrics()) {
      if (def.id() == metric) def.mutable_disclosure()->set_magnitude_max(2000000);
    }
    auto catalog = Catalog::FromProto(proto);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    District district(*catalog, kToday);
    CreateAll(district, {Enterprise(1, "SG", 9000000), Enterprise(2, "SG", 1500000),
                         Enterprise(3, "SG", 1500000)});
    district.ExpectMatchesRecompute("clamped");
    auto published = cell_testing::ReadPublished(district.store(), **catalog);
    ASSERT_TRUE(published.ok());
    // 2,000,000 + 1,500,000 + 1,500,000: the top two hold 70%, so it is published.
    EXPECT_EQ(At(*published, metric, "region=southeast_asia"), (CellValue{5000000, v1::OK}));
  }
}

// The gate: a unit that cannot be decided safely (here, sums whose contributors are
// unknown, so dominance cannot be judged) publishes nothing at all, and the failure
// names the unit and period, never a value; other units are unaffected.
TEST(SuppressionPublicationTest, UnitThatCannotBeDecidedPublishesNothing) {
  ExactCellMap exact;
  const CellKey capital{"enterprises_capital_by_source_region", "2026", "region=europe"};
  const CellKey total{"returned_students_total", "2026", ""};
  exact[capital] = ExactCell{987654321, 5, 0};
  exact[total] = ExactCell{12, 12, 0};
  const PublicationDecision decision =
      DecideForPublication(*Catalog::Default(), exact, ContributionMap());
  EXPECT_EQ(decision.published.count(capital), 0u);
  EXPECT_EQ(decision.published.count(total), 1u);
  ASSERT_EQ(decision.failures.size(), 1u);
  EXPECT_NE(decision.failures[0].find("enterprises_capital_by_source_region"), std::string::npos);
  EXPECT_EQ(decision.failures[0].find("987654321"), std::string::npos);
}

// The default catalog links every suppressed metric it has.
TEST(SuppressionPublicationTest, TheDefaultCatalogWithholdsNothing) {
  EXPECT_TRUE(UnlinkedMetrics(Catalog::Default()->proto()).empty());
  EXPECT_TRUE(CheckSuppressionLinks(Catalog::Default()->proto()).ok());
}

std::shared_ptr<const Catalog> SuppressionCatalog(const std::string& metrics) {
  auto catalog = Catalog::FromText(absl::StrCat("version: 1 ", metrics));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *catalog : nullptr;
}

constexpr char kStudentsBy[] =
    "registries: \"returned_students\" time_basis: STOCK period_type: YEAR "
    "disclosure { method: SUPPRESSION threshold: 3 } ";
constexpr char kRegionDimension[] =
    "dimensions { name: \"region\" field: \"study_country\" binning: COUNTRY_TO_REGION } ";
constexpr char kDegreeDimension[] =
    "dimensions { name: \"degree\" field: \"degree\" binning: ENUM_NAME } ";

// By region and by degree with no total: both sum to the number of students, which no
// metric links them by, so europe's lone suppressed student would be 12 - 6 - 5. The
// later table is withheld, and the top of the tree refuses such a catalog.
TEST(SuppressionPublicationTest, TablesWithoutTheirCommonMarginAreNotBothPublished) {
  std::shared_ptr<const Catalog> catalog = SuppressionCatalog(
      absl::StrCat("metrics { id: \"by_region\" ", kStudentsBy, kRegionDimension, "} ",
                   "metrics { id: \"by_degree\" ", kStudentsBy, kDegreeDimension, "}"));
  ASSERT_NE(catalog, nullptr);
  const std::map<std::string, std::string> unlinked = UnlinkedMetrics(catalog->proto());
  ASSERT_EQ(unlinked.size(), 1u);
  EXPECT_TRUE(absl::StrContains(unlinked.at("by_degree"), "by_region")) << unlinked.at("by_degree");
  EXPECT_TRUE(absl::StrContains(unlinked.at("by_degree"), "the total")) << unlinked.at("by_degree");
  EXPECT_EQ(CheckSuppressionLinks(catalog->proto()).code(), absl::StatusCode::kInvalidArgument);

  District district(catalog, kToday);
  CreateAll(district, EuropeBelowThreshold());
  auto published = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(published.ok());
  int by_region = 0;
  for (const auto& [key, value] : *published) {
    EXPECT_NE(key.metric, "by_degree") << key.dims;
    by_region += key.metric == "by_region";
  }
  EXPECT_GT(by_region, 0);

  // With the total the two tables are linked, and both are published.
  std::shared_ptr<const Catalog> linked = SuppressionCatalog(absl::StrCat(
      "metrics { id: \"total\" ", kStudentsBy, "} ", "metrics { id: \"by_region\" ", kStudentsBy,
      kRegionDimension, "} ", "metrics { id: \"by_degree\" ", kStudentsBy, kDegreeDimension, "}"));
  ASSERT_NE(linked, nullptr);
  EXPECT_TRUE(UnlinkedMetrics(linked->proto()).empty());
}

// A count filtered on a value of another table's dimension is one of its cells: here it
// would publish the doctorates that secondary suppression hid to protect the lone
// bachelor. It is withheld.
TEST(SuppressionPublicationTest, AFilteredCountOfAnotherTablesCellIsWithheld) {
  std::shared_ptr<const Catalog> catalog = SuppressionCatalog(absl::StrCat(
      "metrics { id: \"total\" ", kStudentsBy, "} ", "metrics { id: \"by_degree\" ", kStudentsBy,
      kDegreeDimension, "} ",
      "metrics { id: \"doctorates\" filters { field: \"degree\" values: \"DOCTORATE\" } ",
      kStudentsBy, "}"));
  ASSERT_NE(catalog, nullptr);
  const std::map<std::string, std::string> unlinked = UnlinkedMetrics(catalog->proto());
  ASSERT_EQ(unlinked.size(), 1u);
  EXPECT_TRUE(absl::StrContains(unlinked.at("doctorates"), "other filters"));
  District district(catalog, kToday);
  std::vector<v1::Record> records;
  int sequence = 0;
  for (int i = 0; i < 6; ++i) records.push_back(Student(++sequence, "JP", v1::MASTER));
  for (int i = 0; i < 4; ++i) records.push_back(Student(++sequence, "JP", v1::DOCTORATE));
  records.push_back(Student(++sequence, "JP", v1::BACHELOR));
  CreateAll(district, records);
  auto published = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(published.ok());
  const CellKey doctorate{"by_degree", "2026", "degree=doctorate"};
  ASSERT_EQ(published->count(doctorate), 1u);
  EXPECT_EQ(published->at(doctorate).status, v1::SUPPRESSED);
  EXPECT_EQ(published->count(CellKey{"doctorates", "2026", ""}), 0u);
}

// A stock's year is its December (and today's year its month): a yearly total beside a
// monthly table by region would tell europe's lone student as 12 - 6 - 5. The monthly
// table is withheld.
TEST(SuppressionPublicationTest, AMetricByAnotherPeriodTypeOfTheSameRecordsIsWithheld) {
  std::shared_ptr<const Catalog> catalog = SuppressionCatalog(absl::StrCat(
      "metrics { id: \"total\" ", kStudentsBy, "} ",
      "metrics { id: \"by_region_monthly\" registries: \"returned_students\" "
      "time_basis: STOCK period_type: MONTH disclosure { method: SUPPRESSION threshold: 3 } ",
      kRegionDimension, "}"));
  ASSERT_NE(catalog, nullptr);
  const std::map<std::string, std::string> unlinked = UnlinkedMetrics(catalog->proto());
  ASSERT_EQ(unlinked.size(), 1u);
  EXPECT_TRUE(absl::StrContains(unlinked.at("by_region_monthly"), "period type"));
  District district(catalog, kToday);
  CreateAll(district, EuropeBelowThreshold());
  auto published = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(published.ok());
  int total = 0;
  for (const auto& [key, value] : *published) {
    EXPECT_NE(key.metric, "by_region_monthly") << key.period << " " << key.dims;
    total += key.metric == "total";
  }
  EXPECT_GT(total, 0);
}

// Over several registries the threshold counts persons, not records: two people, one
// of them both a returned student and the head of a family in hardship, are two.
TEST(SuppressionPublicationTest, AMetricOverSeveralRegistriesCountsPersons) {
  std::shared_ptr<const Catalog> catalog = SuppressionCatalog(
      "metrics { id: \"people\" registries: \"returned_students\" "
      "registries: \"hardship_cases\" time_basis: STOCK period_type: YEAR "
      "disclosure { method: SUPPRESSION threshold: 3 } }");
  ASSERT_NE(catalog, nullptr);
  District district(catalog, kToday);
  v1::Record hardship;
  v1::HardshipCase* family = hardship.mutable_hardship_case();
  family->set_head_name("赵敏");
  family->set_resident_id(MakeResidentId("340103", "19910101", 1));  // student 1
  family->set_household_size(2);
  family->set_hardship_type(v1::SERIOUS_ILLNESS);
  family->set_filed_date("2021-06-01");
  family->set_status(v1::HARDSHIP_ACTIVE);
  family->set_community("林店街道金池社区");
  CreateAll(district, {Student(1, "JP"), Student(2, "JP"), hardship});
  auto published = cell_testing::ReadPublished(district.store(), *catalog);
  ASSERT_TRUE(published.ok());
  const CellKey people{"people", "2026", ""};
  ASSERT_EQ(published->count(people), 1u);
  EXPECT_EQ(published->at(people).status, v1::SUPPRESSED) << "three records, two persons";
}

// One field binned two ways, or the same table twice: the later metric is withheld.
TEST(SuppressionPublicationTest, AFieldBinnedTwiceOrATableTwiceIsWithheld) {
  std::shared_ptr<const Catalog> catalog = SuppressionCatalog(absl::StrCat(
      "metrics { id: \"total\" ", kStudentsBy, "} ", "metrics { id: \"by_region\" ", kStudentsBy,
      kRegionDimension, "} ", "metrics { id: \"by_country\" ", kStudentsBy,
      "dimensions { name: \"japan\" field: \"study_country\" binning: CATEGORY_MAP ",
      "categories { key: \"JP\" value: \"japan\" } } } ", "metrics { id: \"by_region_again\" ",
      kStudentsBy, kRegionDimension, "}"));
  ASSERT_NE(catalog, nullptr);
  const std::map<std::string, std::string> unlinked = UnlinkedMetrics(catalog->proto());
  ASSERT_EQ(unlinked.size(), 2u);
  EXPECT_TRUE(absl::StrContains(unlinked.at("by_country"), "study_country"));
  EXPECT_TRUE(absl::StrContains(unlinked.at("by_region_again"), "same table"));
}

// Suppression is decided inside the district's write transaction: a unit whose audit
// does not finish within its time limit is withheld, not published unaudited, and is
// decided afresh (not remembered as failed) the next time.
TEST(SuppressionPublicationTest, AUnitOutOfTimePublishesNothing) {
  const PublicationPlan plan(*Catalog::Default());
  const PublicationUnit* unit = plan.UnitOf(kByRegion);
  ASSERT_NE(unit, nullptr);
  ExactCellMap exact;
  exact[CellKey{"returned_students_total", "2026", ""}] = ExactCell{12, 12, 0};
  exact[CellKey{kByRegion, "2026", "region=east_asia"}] = ExactCell{6, 6, 0};
  exact[CellKey{kByRegion, "2026", "region=north_america"}] = ExactCell{5, 5, 0};
  const CellKey europe{kByRegion, "2026", "region=europe"};
  exact[europe] = ExactCell{1, 1, 0};
  ForgetRememberedSuppressions();
  const UnitDecision out_of_time =
      DecideLinkedUnit(*unit, "2026", exact, ContributionMap(), absl::ZeroDuration());
  EXPECT_TRUE(out_of_time.failed());
  EXPECT_TRUE(out_of_time.published.empty());
  const UnitDecision in_time = DecideLinkedUnit(*unit, "2026", exact, ContributionMap());
  ASSERT_FALSE(in_time.failed()) << in_time.failure;
  ASSERT_EQ(in_time.published.count(europe), 1u);
  EXPECT_EQ(in_time.published.at(europe).status, v1::SUPPRESSED);
}

std::shared_ptr<const Catalog> DpCatalog(const std::string& epsilon, const std::string& budget,
                                         const std::string& id = "students_dp") {
  auto catalog = Catalog::FromText(
      absl::StrCat(DefaultCatalogText(), "metrics { id: \"", id,
                   "\" registries: \"returned_students\" "
                   "dimensions { name: \"degree\" field: \"degree\" binning: ENUM_NAME } "
                   "time_basis: STOCK period_type: YEAR "
                   "disclosure { method: DP epsilon: \"",
                   epsilon, "\" budget: \"", budget, "\" } }"));
  EXPECT_TRUE(catalog.ok()) << catalog.status();
  return catalog.ok() ? *catalog : nullptr;
}

TEST(DpCatalogTest, AcceptsDpWithItsParametersOnly) {
  EXPECT_NE(DpCatalog("1/2", "3"), nullptr);
  for (const auto& [epsilon, budget] : std::vector<std::pair<std::string, std::string>>{
           {"", "1"}, {"0", "1"}, {"-1", "1"}, {"1", "1/2"}, {"x", "1"}, {"1", ""}}) {
    auto catalog = Catalog::FromText(absl::StrCat(R"pb(version: 1 metrics {
      id: "students_dp" registries: "returned_students" time_basis: STOCK period_type: YEAR
      disclosure { method: DP epsilon: ")pb", epsilon, R"pb(" budget: ")pb", budget, R"pb(" } })pb"));
    EXPECT_FALSE(catalog.ok()) << epsilon << " " << budget;
  }
  // A DP sum needs the bound of one contribution (its sensitivity).
  auto sum = Catalog::FromText(R"pb(version: 1 metrics {
      id: "capital_dp" registries: "enterprises" measure: SUM
      measure_field: "registered_capital_yuan" time_basis: STOCK period_type: YEAR
      disclosure { method: DP epsilon: "1" budget: "2" } })pb");
  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.status().message().find("magnitude_max"), std::string::npos);
}

// An empty directory of this process, removed with what it holds at destruction.
struct FreshDir {
  explicit FreshDir(const std::string& name)
      : path(::testing::TempDir() + "/" + name + "_" + std::to_string(getpid())) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~FreshDir() { std::filesystem::remove_all(path); }
  const std::string path;
};

// A district on a database file, as district_node opens it.
struct FileDistrict {
  FileDistrict(const std::string& path, std::shared_ptr<const Catalog> catalog)
      : clock(cell_testing::NoonInChina(kToday)), cells(std::move(catalog), &clock) {
    auto opened = NodeStore::Open(path, DistrictMigrations());
    EXPECT_TRUE(opened.ok()) << opened.status();
    store = std::move(*opened);
    registry = std::make_unique<Registry>(store.get(), &clock, &cells);
    EXPECT_TRUE(store->Write([&](Database* db, PublishedCells* published) {
      return cells.EnsureCurrent(db, published).status();
    }).ok());
  }
  absl::StatusOr<privacy::BudgetState> Budget() {
    absl::StatusOr<privacy::BudgetState> state;
    RETURN_IF_ERROR(store->Read([&](Database* db) -> absl::Status {
      ASSIGN_OR_RETURN(auto ledger, privacy::PrivacyLedger::Open(db));
      state = ledger->Budget("students_dp", "2026");
      return absl::OkStatus();
    }));
    return state;
  }
  absl::Status Recompute() {
    return store->Write([&](Database* db, PublishedCells* published) {
      return cells.Recompute(db, published, cells.Today()).status();
    });
  }
  FakeClock clock;
  CellUpdater cells;
  std::unique_ptr<NodeStore> store;
  std::unique_ptr<Registry> registry;
};

// Each write that changes the DP cells is a release costing epsilon (1); the budget (3)
// allows three. A restart and a full recompute re-send the stored values and spend
// nothing; the fourth change is refused, after a restart too, and the stored value
// keeps being published — never a fresh draw.
TEST(DpPublicationTest, NoiseIsStoredAndTheBudgetIsRefusedAcrossRestarts) {
  std::shared_ptr<const Catalog> catalog = DpCatalog("1", "3");
  ASSERT_NE(catalog, nullptr);
  const FreshDir dir("dp_budget");
  const std::string path = dir.path + "/luyang.db";
  const CellKey master{"students_dp", "2026", "degree=master"};
  CellValue released;
  {
    FileDistrict district(path, catalog);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(district.registry->Create("test", Student(i + 1, "JP")).ok());
    }
    auto budget = district.Budget();
    ASSERT_TRUE(budget.ok());
    EXPECT_EQ(budget->spent, 3);
    EXPECT_EQ(budget->releases, 3);
    auto published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    ASSERT_EQ(published->count(master), 1u);
    released = published->at(master);
    EXPECT_EQ(released.status, v1::NOISY);
    // Every degree is released, the empty ones as noisy zeros: whether anyone holds a
    // doctorate is as protected as how many do.
    const CellKey doctorate{"students_dp", "2026", "degree=doctorate"};
    ASSERT_EQ(published->count(doctorate), 1u);
    EXPECT_EQ(published->at(doctorate).status, v1::NOISY);
  }
  {
    FileDistrict district(path, catalog);
    ASSERT_TRUE(district.Recompute().ok());
    auto published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    EXPECT_EQ(published->at(master), released) << "a resend never re-draws";
    // The fourth change: over budget, refused; the stored value stays published.
    ASSERT_TRUE(district.registry->Create("test", Student(4, "JP")).ok());
    published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    EXPECT_EQ(published->at(master), released);
    auto budget = district.Budget();
    ASSERT_TRUE(budget.ok());
    EXPECT_EQ(budget->spent, 3);
  }
  {
    FileDistrict district(path, catalog);
    ASSERT_TRUE(district.registry->Create("test", Student(5, "JP")).ok());
    ASSERT_TRUE(district.Recompute().ok());
    auto published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    EXPECT_EQ(published->at(master), released) << "still refused after a restart";
    auto budget = district.Budget();
    ASSERT_TRUE(budget.ok());
    EXPECT_EQ(budget->spent, 3);
    EXPECT_EQ(budget->releases, 3);
  }
}

// A period that loses its last record keeps its release, by a write and by a full
// recompute alike: a recompute withdrawing it would tell that it has no record, and the
// two paths would publish different cells for the same records.
TEST(DpPublicationTest, APeriodThatLostItsLastRecordStaysReleasedThroughARecompute) {
  std::shared_ptr<const Catalog> catalog = DpCatalog("1", "3");
  ASSERT_NE(catalog, nullptr);
  const FreshDir dir("dp_empty");
  FileDistrict district(dir.path + "/luyang.db", catalog);
  auto created = district.registry->Create("test", Student(1, "JP"));
  ASSERT_TRUE(created.ok()) << created.status();
  v1::DeleteRecordRequest remove;
  remove.set_kind("returned_students");
  remove.set_id(created->id());
  remove.set_reason("never studied abroad");
  remove.set_entered_in_error(true);
  ASSERT_TRUE(district.registry->Delete("test", remove).ok());
  auto by_write = cell_testing::ReadPublished(*district.store, *catalog);
  ASSERT_TRUE(by_write.ok());
  ASSERT_EQ(by_write->count(CellKey{"students_dp", "2026", "degree=master"}), 1u);
  auto budget = district.Budget();
  ASSERT_TRUE(budget.ok());
  const int64_t releases = budget->releases;
  ASSERT_TRUE(district.Recompute().ok());
  auto by_recompute = cell_testing::ReadPublished(*district.store, *catalog);
  ASSERT_TRUE(by_recompute.ok());
  EXPECT_TRUE(*by_recompute == *by_write);
  budget = district.Budget();
  ASSERT_TRUE(budget.ok());
  EXPECT_EQ(budget->releases, releases) << "the recompute re-sends the stored release";
}

// The time adversary against DP: a cell is released, one record joins, the cell is
// released again. The difference of the two releases is the change (+1) plus the
// difference of two independent discrete Laplace draws (scale 2): it equals +1 only
// when the two noises coincide (about 12% of the time) and varies widely.
TEST(DpPublicationTest, TimeAdversaryCannotReadTheChangeExactly) {
  std::shared_ptr<const Catalog> catalog = DpCatalog("1/2", "100");
  ASSERT_NE(catalog, nullptr);
  const CellKey master{"students_dp", "2026", "degree=master"};
  constexpr int kTrials = 40;
  std::map<int64_t, int> differences;
  for (int trial = 0; trial < kTrials; ++trial) {
    District district(catalog, kToday);
    CreateAll(district, {Student(1, "JP"), Student(2, "JP"), Student(3, "JP"),
                         Student(4, "JP"), Student(5, "JP")});
    auto first = cell_testing::ReadPublished(district.store(), *catalog);
    ASSERT_TRUE(first.ok());
    CreateAll(district, {Student(6, "JP")});
    auto second = cell_testing::ReadPublished(district.store(), *catalog);
    ASSERT_TRUE(second.ok());
    ASSERT_EQ(second->at(master).status, v1::NOISY);
    ++differences[second->at(master).value - first->at(master).value];
  }
  EXPECT_LE(differences[1], kTrials / 2) << "the difference reveals the change too often";
  EXPECT_GE(differences.size(), 4u) << "the differences must spread like noise does";
}

// The same adversary, asking which cell changed rather than by how much: a doctorate
// joins five masters. Were only the changed cell drawn afresh, the doctorate cell would
// be the only one to move, telling the newcomer's degree exactly; every cell of the
// release is drawn afresh instead.
TEST(DpPublicationTest, WhichCellAJoinerMovedIsNotTold) {
  std::shared_ptr<const Catalog> catalog = DpCatalog("1/2", "4");
  ASSERT_NE(catalog, nullptr);
  constexpr int kTrials = 20;
  int only_the_joiners_cell_moved = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    District district(catalog, kToday);
    CreateAll(district, {Student(1, "JP"), Student(2, "JP"), Student(3, "JP"), Student(4, "JP"),
                         Student(5, "JP")});
    auto first = cell_testing::ReadPublished(district.store(), *catalog);
    ASSERT_TRUE(first.ok());
    CreateAll(district, {Student(6, "JP", v1::DOCTORATE)});
    auto second = cell_testing::ReadPublished(district.store(), *catalog);
    ASSERT_TRUE(second.ok());
    std::set<std::string> moved;
    for (const auto& [key, value] : *second) {
      if (key.metric == "students_dp" && !(first->at(key) == value)) moved.insert(key.dims);
    }
    only_the_joiners_cell_moved += moved == std::set<std::string>{"degree=doctorate"};
  }
  EXPECT_LE(only_the_joiners_cell_moved, 1) << "which cell moved tells the joiner's degree";
}

// A catalog from above that renames a DP metric (each version passes the floor: one DP
// metric on the registry) gets no new budget for the same records: the registry's
// period spends at most four releases' worth, whatever its metrics are called, and a
// name that would overspend publishes nothing.
TEST(DpPublicationTest, ARenamedMetricGetsNoNewBudget) {
  const FreshDir dir("dp_rename");
  const std::string path = dir.path + "/luyang.db";
  int released_names = 0;
  for (int round = 0; round < 6; ++round) {
    const std::string id = absl::StrCat("students_dp_v", round);
    std::shared_ptr<const Catalog> catalog = DpCatalog("1", "4", id);
    ASSERT_NE(catalog, nullptr);
    ASSERT_TRUE(CheckPrivacyFloor(catalog->proto()).ok());
    FileDistrict district(path, catalog);
    if (round == 0) {
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(district.registry->Create("test", Student(i + 1, "JP")).ok());
      }
    }
    auto published = cell_testing::ReadPublished(*district.store, *catalog);
    ASSERT_TRUE(published.ok());
    released_names += published->count(CellKey{id, "2026", "degree=master"}) > 0;
    mpq_class spent;
    ASSERT_TRUE(district.store
                    ->Read([&](Database* db) -> absl::Status {
                      ASSIGN_OR_RETURN(auto ledger, privacy::PrivacyLedger::Open(db));
                      ASSIGN_OR_RETURN(spent, ledger->RegistrySpent("returned_students", "2026"));
                      return absl::OkStatus();
                    })
                    .ok());
    EXPECT_LE(spent, 4) << "after " << id;
  }
  // The ten creations spent the first name's four releases: no later name is released.
  EXPECT_EQ(released_names, 1);
}

}  // namespace
}  // namespace fedsync
