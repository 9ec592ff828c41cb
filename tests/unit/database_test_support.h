// Test support: an in-memory database with migrations applied. Header-only, for
// tests/unit.
#ifndef FEDSYNC_TESTS_UNIT_DATABASE_TEST_SUPPORT_H_
#define FEDSYNC_TESTS_UNIT_DATABASE_TEST_SUPPORT_H_

#include <memory>

#include "gtest/gtest.h"
#include "shared/database.h"
#include "shared/migrations.h"

namespace fedsync {

// A fresh in-memory database with `migrations` applied; null, with a test failure,
// when opening or migrating fails.
inline std::unique_ptr<Database> MigratedMemoryDatabase(const Migrations& migrations) {
  auto db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  absl::Status migrated = Migrate(db->get(), migrations);
  EXPECT_TRUE(migrated.ok()) << migrated;
  if (!migrated.ok()) return nullptr;
  return std::move(*db);
}

}  // namespace fedsync

#endif  // FEDSYNC_TESTS_UNIT_DATABASE_TEST_SUPPORT_H_
