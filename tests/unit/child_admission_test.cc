#include "city_node/child_admission.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(ChildAdmissionTest, DecidesByCertificateAndRegisteredChildren) {
  const std::vector<std::string> none;
  const std::vector<std::string> yaohai = {"yaohai"};
  struct Case {
    const char* what;
    bool require_certificate;
    std::vector<std::string> registered;
    std::vector<std::string> certified;
    std::string claimed;
    bool admitted;
  };
  const Case cases[] = {
      {"own id, any child", true, {}, yaohai, "yaohai", true},
      {"another district's id", true, {}, yaohai, "luyang", false},
      {"no id in the certificate", true, {}, none, "yaohai", false},
      {"registered child", true, {"yaohai", "luyang"}, yaohai, "yaohai", true},
      {"certified but not registered", true, {"luyang"}, yaohai, "yaohai", false},
      {"plaintext, any child", false, {}, none, "luyang", true},
      {"plaintext, registered", false, {"luyang"}, none, "luyang", true},
      {"plaintext, not registered", false, {"luyang"}, none, "yaohai", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    absl::Status status =
        ChildAdmission(c.require_certificate, c.registered).Admit(c.certified, c.claimed);
    if (c.admitted) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    }
  }
}

}  // namespace
}  // namespace fedsync

namespace fedsync {
namespace {

// A node above (the parent) or the node itself streaming here as a child would loop
// the sums back into themselves, whatever the list and transport.
TEST(ChildAdmissionTest, ThisNodesOwnIdAndItsParentsAreNeverAChild) {
  struct Case {
    const char* what;
    bool require_certificate;
    std::vector<std::string> registered;
    std::string claimed;
    bool admitted;
    const char* says;
  };
  const Case cases[] = {
      {"the parent, any child", true, {}, "anhui", false, "parent"},
      {"the parent, listed by mistake", true, {"anhui", "luyang"}, "anhui", false, "parent"},
      {"itself, any child", true, {}, "hefei", false, "own id"},
      {"itself, listed by mistake", true, {"hefei"}, "hefei", false, "own id"},
      {"plaintext parent", false, {}, "anhui", false, "parent"},
      {"plaintext itself", false, {}, "hefei", false, "own id"},
      {"a child still admitted", true, {}, "luyang", true, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const ChildAdmission admission(c.require_certificate, c.registered, "hefei", "anhui");
    const std::vector<std::string> certified =
        c.require_certificate ? std::vector<std::string>{c.claimed} : std::vector<std::string>{};
    absl::Status status = admission.Admit(certified, c.claimed);
    if (c.admitted) {
      EXPECT_TRUE(status.ok()) << status;
    } else {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
      EXPECT_NE(status.message().find(c.says), absl::string_view::npos) << status;
    }
  }
  // The top of the tree has no parent: an empty id refuses nothing.
  EXPECT_TRUE(ChildAdmission(true, {}, "anhui", "").Admit({"hefei"}, "hefei").ok());
}

TEST(ChildAdmissionTest, AnOperatorsCertificateIsNeverAChild) {
  const ChildAdmission any_certified(/*require_certificate=*/true, {});
  EXPECT_TRUE(any_certified.Admit({"alice"}, "alice").ok());
  absl::Status refused = any_certified.Admit({"alice"}, "alice", /*operator_certificate=*/true);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("operator"), absl::string_view::npos);
}

}  // namespace
}  // namespace fedsync
