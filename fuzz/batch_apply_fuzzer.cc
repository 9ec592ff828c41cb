// libFuzzer harness: the parent's batch apply (ChildCells, city_node/child_cells.h) on
// an in-memory SQLite city database with the default catalog, as a child's message
// arrives: any bytes parsed as an UpMessage; a hello is applied as one, a batch as from
// the registered child "fuzzchild". A batch is applied in two committed transactions,
// its first half and then its second, with a restart of the parent's ChildCells between
// them (its running sums read again from the database), so that sums already committed
// are changed, replaced and emptied. It may reject cells but must not crash, and:
//   - after the second half, the whole batch again changes nothing (idempotence: each
//     cell keeps its highest seq whatever the order);
//   - after every step, every live cell this node publishes equals the sum of the live
//     child cells under it (a SUPPRESSED input counts 0, and makes it PARTIAL), and
//     every cell with a live input is published;
//   - no arithmetic overflows (UBSan), whatever the values (seed extreme_values).
// Each input starts from a city holding nothing from the child, so inputs are
// independent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "city_node/child_cells.h"
#include "fedsync/v1/federation.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "shared/catalog.h"
#include "shared/catalog_holder.h"
#include "shared/database.h"
#include "shared/migrations.h"
#include "shared/published_cells.h"

namespace {

using fedsync::Database;

constexpr char kChild[] = "fuzzchild";
constexpr int64_t kNow = 1'800'000'000'000;

// A fingerprint of everything a batch may change.
constexpr char kFingerprint[] =
    "SELECT (SELECT COUNT(*) || ':' || TOTAL(value) || ':' || TOTAL(seq) || ':' || "
    "TOTAL(deleted) || ':' || TOTAL(status) FROM child_cells), "
    "(SELECT COUNT(*) || ':' || TOTAL(value) || ':' || TOTAL(deleted) FROM published_cells), "
    "(SELECT watermark || ':' || child_max_seq FROM children WHERE child_id = 'fuzzchild'), "
    "(SELECT COUNT(*) || ':' || TOTAL(seq) FROM published_cells)";

// Published cells that disagree with the child cells under them, either way round, and
// cells published twice (a parent's table is keyed by seq alone). The
// status of a sum (CellStatus): 2 SUPPRESSED or 5 PARTIAL inputs give 5, then 4 NOISY,
// 3 PERTURBED, else 1 OK.
constexpr char kWrongAggregates[] =
    "WITH sums AS ("
    " SELECT metric, period, dims, SUM(CASE WHEN status = 2 THEN 0 ELSE value END) AS v, "
    " CASE WHEN SUM(status IN (2, 5)) > 0 THEN 5 WHEN SUM(status = 4) > 0 THEN 4 "
    " WHEN SUM(status = 3) > 0 THEN 3 ELSE 1 END AS s "
    " FROM child_cells WHERE deleted = 0 GROUP BY metric, period, dims) SELECT "
    "(SELECT COUNT(*) FROM published_cells p LEFT JOIN sums s USING (metric, period, dims) "
    " WHERE p.deleted = 0 AND (s.v IS NULL OR s.v != p.value OR s.s != p.status)) + "
    "(SELECT COUNT(*) FROM sums s LEFT JOIN published_cells p USING (metric, period, dims) "
    " WHERE p.metric IS NULL OR p.deleted != 0) + "
    "(SELECT COUNT(*) FROM (SELECT 1 FROM published_cells GROUP BY metric, period, dims "
    " HAVING COUNT(*) > 1))";

struct City {
  std::unique_ptr<Database> db;
  std::unique_ptr<fedsync::PublishedCells> published;
  std::unique_ptr<fedsync::CatalogHolder> catalogs;
  std::unique_ptr<fedsync::ChildCells> cells;
};

City& TheCity() {
  static City* city = [] {
    auto* made = new City;
    made->db = std::move(*Database::Open(":memory:"));
    if (!fedsync::Migrate(made->db.get(), fedsync::CityMigrations()).ok()) std::abort();
    made->published = std::move(*fedsync::PublishedCells::Open(made->db.get()));
    made->catalogs = std::make_unique<fedsync::CatalogHolder>(fedsync::Catalog::Default());
    made->cells = std::make_unique<fedsync::ChildCells>(made->catalogs.get());
    fedsync::v1::Hello hello;
    hello.set_node_id(kChild);
    hello.set_level(fedsync::v1::DISTRICT);
    hello.set_path(kChild);
    hello.set_epoch(1);
    auto welcome = made->cells->ApplyHello(made->db.get(), made->published.get(), hello, kNow);
    if (!welcome.ok()) std::abort();
    return made;
  }();
  return *city;
}

std::string Query(Database* db, const char* sql) {
  auto statement = db->Prepare(sql);
  if (!statement.ok()) std::abort();
  auto row = statement->Step();
  if (!row.ok() || !*row) std::abort();
  std::string text;
  for (int i = 0; i < 4; ++i) text += statement->ColumnText(i) + "|";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Parsing fuzzed bytes logs every invalid UTF-8 string; that is expected, not news.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

// Empties what the previous input left: the child's cells, this node's cells, other
// children, and the child's epoch and watermark; a new ChildCells has no sums yet.
void StartAfresh(City& city) {
  Database* db = city.db.get();
  if (!db->Execute("DELETE FROM child_cells; DELETE FROM published_cells; "
                   "DELETE FROM children WHERE child_id != 'fuzzchild'; "
                   "UPDATE children SET epoch = 1, watermark = 0, child_max_seq = 0;")
           .ok()) {
    std::abort();
  }
  if (!city.published->Reload().ok()) std::abort();
  city.cells = std::make_unique<fedsync::ChildCells>(city.catalogs.get());
}

void CheckSums(Database* db) {
  auto wrong = db->Prepare(kWrongAggregates);
  if (!wrong.ok()) std::abort();
  auto row = wrong->Step();
  if (!row.ok() || !*row || wrong->ColumnInt(0) != 0) std::abort();
}

// Runs `fn` in one transaction, committed when it returns true; checks the sums.
template <typename Fn>
void InTransaction(City& city, Fn fn) {
  Database* db = city.db.get();
  {
    auto transaction = fedsync::Transaction::Begin(db);
    if (!transaction.ok()) std::abort();
    if (fn(db) && !(*transaction)->Commit().ok()) std::abort();
  }
  if (!city.published->Reload().ok()) std::abort();
  CheckSums(db);
}

fedsync::v1::CellBatch Cells(const fedsync::v1::CellBatch& batch, int begin, int end) {
  fedsync::v1::CellBatch part = batch;
  part.clear_cells();
  for (int i = begin; i < end; ++i) *part.add_cells() = batch.cells(i);
  return part;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fedsync::v1::UpMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  City& city = TheCity();
  StartAfresh(city);
  fedsync::PublishedCells* published = city.published.get();
  if (message.has_hello()) {
    // Any hello, any epoch: the apply may refuse it but must keep the sums right.
    InTransaction(city, [&](Database* db) {
      return city.cells->ApplyHello(db, published, message.hello(), kNow).ok();
    });
    return 0;
  }
  if (!message.has_batch()) return 0;
  const fedsync::v1::CellBatch& batch = message.batch();
  const int half = batch.cells_size() / 2;
  bool applied = false;
  InTransaction(city, [&](Database* db) {
    applied = city.cells->ApplyBatch(db, published, kChild, Cells(batch, 0, half), kNow).ok();
    return applied;
  });
  if (!applied) return 0;
  // A restart: the next apply reads the sums from what was committed.
  city.cells = std::make_unique<fedsync::ChildCells>(city.catalogs.get());
  InTransaction(city, [&](Database* db) {
    auto second =
        city.cells->ApplyBatch(db, published, kChild, Cells(batch, half, batch.cells_size()), kNow);
    if (!second.ok()) return false;
    const std::string after_second = Query(db, kFingerprint);
    auto again = city.cells->ApplyBatch(db, published, kChild, batch, kNow);
    if (!again.ok() || again->watermark() != second->watermark()) std::abort();
    if (Query(db, kFingerprint) != after_second) std::abort();  // not idempotent
    return true;
  });
  return 0;
}
