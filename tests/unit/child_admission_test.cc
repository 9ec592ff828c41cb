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

TEST(ChildAdmissionTest, AnOperatorsCertificateIsNeverAChild) {
  const ChildAdmission any_certified(/*require_certificate=*/true, {});
  EXPECT_TRUE(any_certified.Admit({"alice"}, "alice").ok());
  absl::Status refused = any_certified.Admit({"alice"}, "alice", /*operator_certificate=*/true);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.message().find("operator"), absl::string_view::npos);
}

}  // namespace
}  // namespace fedsync
