// Test support: registry records the unit tests share. Header-only, for tests/unit.
#ifndef FEDSYNC_TESTS_UNIT_RECORD_TEST_SUPPORT_H_
#define FEDSYNC_TESTS_UNIT_RECORD_TEST_SUPPORT_H_

#include "fedsync/v1/registry.pb.h"

namespace fedsync {

// A valid community figure (陈美玲, born 1962-04-18, registered 2024-03-01).
inline v1::Record CommunityFigure() {
  v1::Record record;
  v1::CommunityFigure* f = record.mutable_community_figure();
  f->set_name("陈美玲");
  f->set_gender(v1::FEMALE);
  f->set_birth_date("1962-04-18");
  f->set_category(v1::FIGURE_RETURNED_OVERSEAS_CHINESE);
  f->set_role("区侨联委员");
  f->set_country("MY");
  f->set_community("林店街道金池社区");
  f->set_registered_date("2024-03-01");
  return record;
}

}  // namespace fedsync

#endif  // FEDSYNC_TESTS_UNIT_RECORD_TEST_SUPPORT_H_
