#include "shared/operator_auth.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace fedsync {
namespace {

TEST(OperatorAuthTest, EveryMethodNeedsItsRole) {
  struct Case {
    const char* method;
    OperatorRole role;
  };
  for (const Case& test : std::vector<Case>{
           {"AdminService/GetStatus", OperatorRole::kViewer},
           {"AdminService/GetRollup", OperatorRole::kViewer},
           {"AdminService/ListMetrics", OperatorRole::kViewer},
           {"AdminService/ListTargets", OperatorRole::kViewer},
           {"AdminService/GetCatalog", OperatorRole::kViewer},
           {"AdminService/SyncNow", OperatorRole::kOperator},
           {"AdminService/SetTarget", OperatorRole::kAdmin},
           {"AdminService/PushCatalog", OperatorRole::kAdmin},
           {"RegistryService/GetRecord", OperatorRole::kViewer},
           {"RegistryService/ListRecords", OperatorRole::kViewer},
           {"RegistryService/GetHistory", OperatorRole::kViewer},
           {"RegistryService/Export", OperatorRole::kViewer},
           {"RegistryService/Import", OperatorRole::kOperator},
           {"RegistryService/CreateRecord", OperatorRole::kOperator},
           {"RegistryService/UpdateRecord", OperatorRole::kOperator},
           {"RegistryService/DeleteRecord", OperatorRole::kOperator},
           {"RegistryService/RestoreRecord", OperatorRole::kOperator},
           {"AdminService/SomethingNew", OperatorRole::kAdmin},  // closed by default
       }) {
    EXPECT_EQ(RequiredRole(test.method), test.role) << test.method;
  }
}

OperatorPeer Certified(const std::string& name, std::vector<std::string> units) {
  OperatorPeer peer;
  peer.certified = true;
  peer.certified_name = name;
  peer.certified_units = std::move(units);
  return peer;
}

TEST(OperatorAuthTest, TlsCallersHaveTheRoleInTheirCertificate) {
  struct Case {
    OperatorPeer peer;
    const char* method;
    absl::StatusCode code;
    const char* says;  // in the message, or the caller's name when allowed
  };
  OperatorPeer uncertified;
  uncertified.claimed_name = "alice";
  for (const Case& test : std::vector<Case>{
           {Certified("vera", {"viewer"}), "AdminService/GetStatus", absl::StatusCode::kOk, "vera"},
           {Certified("vera", {"viewer"}), "AdminService/SyncNow",
            absl::StatusCode::kPermissionDenied, "needs role operator"},
           {Certified("vera", {"viewer"}), "RegistryService/CreateRecord",
            absl::StatusCode::kPermissionDenied, "needs role operator"},
           {Certified("otto", {"operator"}), "AdminService/SyncNow", absl::StatusCode::kOk, "otto"},
           {Certified("otto", {"operator"}), "AdminService/PushCatalog",
            absl::StatusCode::kPermissionDenied, "needs role admin"},
           {Certified("ada", {"admin"}), "AdminService/SetTarget", absl::StatusCode::kOk, "ada"},
           // A node's certificate has no role.
           {Certified("luyang", {}), "AdminService/GetStatus", absl::StatusCode::kPermissionDenied,
            "no operator role"},
           {Certified("x", {"Engineering"}), "AdminService/GetStatus",
            absl::StatusCode::kPermissionDenied, "no operator role"},
           // Several roles: the weakest holds.
           {Certified("both", {"admin", "viewer"}), "AdminService/SyncNow",
            absl::StatusCode::kPermissionDenied, "is viewer"},
           {uncertified, "AdminService/GetStatus", absl::StatusCode::kUnauthenticated,
            "client certificate"},
       }) {
    absl::StatusOr<OperatorCaller> caller = AuthorizeOperator(true, test.peer, test.method);
    EXPECT_EQ(caller.status().code(), test.code) << test.method << " " << caller.status();
    if (caller.ok()) {
      EXPECT_EQ(caller->name, test.says);
    } else {
      EXPECT_TRUE(absl::StrContains(caller.status().message(), test.says)) << caller.status();
    }
  }
}

// A district's registries answer only the certificates and tokens it lists, whatever
// their role (a city's admin holds a certificate from the same CA, a city's viewer a
// token whose entry is copied to every node it reads).
TEST(OperatorAuthTest, ADistrictsRegistriesAnswerOnlyItsOwnOperators) {
  const std::set<std::string> own = {"otto"};
  const std::set<std::string> none;
  absl::StatusOr<OperatorCaller> listed = AuthorizeOperator(true, Certified("otto", {"operator"}),
                                                            "RegistryService/CreateRecord", &own);
  EXPECT_TRUE(listed.ok()) << listed.status();
  for (const std::set<std::string>* scope : {&own, &none}) {
    absl::StatusOr<OperatorCaller> city_admin =
        AuthorizeOperator(true, Certified("ada", {"admin"}), "RegistryService/Export", scope);
    EXPECT_EQ(city_admin.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_TRUE(absl::StrContains(city_admin.status().message(), "registry operators"))
        << city_admin.status();
    // The same certificate still reads the district's status and rollups.
    EXPECT_TRUE(
        AuthorizeOperator(true, Certified("ada", {"admin"}), "AdminService/GetRollup", scope).ok());
  }
  // Listed, but a viewer: the role still holds.
  const std::set<std::string> vera = {"vera"};
  EXPECT_EQ(
      AuthorizeOperator(true, Certified("vera", {"viewer"}), "RegistryService/CreateRecord", &vera)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  // A node without registries (null) does not restrict them.
  EXPECT_TRUE(AuthorizeOperator(true, Certified("ada", {"admin"}), "RegistryService/Export").ok());
}

OperatorPeer WithToken(const std::string& name, OperatorRole role) {
  OperatorPeer peer;
  peer.token_presented = true;
  peer.token_holder = OperatorCaller{name + "@token", role};
  return peer;
}

TEST(OperatorAuthTest, ADistrictsRegistriesAnswerOnlyTheTokensItLists) {
  const std::set<std::string> own = {"otto", "zhou@token"};
  const std::set<std::string> none;
  OperatorPeer vera_with_admin_certificate = WithToken("vera", OperatorRole::kViewer);
  vera_with_admin_certificate.certified = true;  // the token wins over a listed certificate
  vera_with_admin_certificate.certified_name = "otto";
  vera_with_admin_certificate.certified_units = {"admin"};
  struct Case {
    const char* what;
    OperatorPeer peer;
    const std::set<std::string>* scope;
    const char* method;
    absl::StatusCode code;
  };
  for (const Case& test : std::vector<Case>{
           {"unlisted viewer token exports", WithToken("vera", OperatorRole::kViewer), &own,
            "RegistryService/Export", absl::StatusCode::kPermissionDenied},
           {"unlisted viewer token reads a record", WithToken("vera", OperatorRole::kViewer), &own,
            "RegistryService/GetRecord", absl::StatusCode::kPermissionDenied},
           {"unlisted viewer token reads status", WithToken("vera", OperatorRole::kViewer), &own,
            "AdminService/GetStatus", absl::StatusCode::kOk},
           {"unlisted admin token, empty list", WithToken("ada", OperatorRole::kAdmin), &none,
            "RegistryService/ListRecords", absl::StatusCode::kPermissionDenied},
           {"unlisted admin token reads rollups", WithToken("ada", OperatorRole::kAdmin), &none,
            "AdminService/GetRollup", absl::StatusCode::kOk},
           {"a token named like a listed certificate", WithToken("otto", OperatorRole::kOperator),
            &own, "RegistryService/GetRecord", absl::StatusCode::kPermissionDenied},
           {"unlisted token beside a listed certificate", vera_with_admin_certificate, &own,
            "RegistryService/GetRecord", absl::StatusCode::kPermissionDenied},
           {"listed token reads", WithToken("zhou", OperatorRole::kViewer), &own,
            "RegistryService/Export", absl::StatusCode::kOk},
           {"listed token writes", WithToken("zhou", OperatorRole::kOperator), &own,
            "RegistryService/CreateRecord", absl::StatusCode::kOk},
           {"listed viewer token may not write", WithToken("zhou", OperatorRole::kViewer), &own,
            "RegistryService/CreateRecord", absl::StatusCode::kPermissionDenied},
           {"a node without registries", WithToken("vera", OperatorRole::kViewer), nullptr,
            "RegistryService/GetRecord", absl::StatusCode::kOk},
       }) {
    SCOPED_TRACE(test.what);
    absl::StatusOr<OperatorCaller> caller =
        AuthorizeOperator(true, test.peer, test.method, test.scope);
    EXPECT_EQ(caller.status().code(), test.code) << caller.status();
    if (test.code == absl::StatusCode::kPermissionDenied &&
        test.peer.token_holder->role >= RequiredRole(test.method)) {
      EXPECT_TRUE(absl::StrContains(caller.status().message(), "registry operators"))
          << caller.status();
    }
  }
}

TEST(OperatorAuthTest, PlaintextNodesTreatCallersAsAdmin) {
  OperatorPeer anonymous;
  absl::StatusOr<OperatorCaller> local =
      AuthorizeOperator(false, anonymous, "AdminService/SetTarget");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_EQ(local->name, "local");
  EXPECT_EQ(local->role, OperatorRole::kAdmin);
  OperatorPeer named;
  named.claimed_name = "bob";
  absl::StatusOr<OperatorCaller> bob = AuthorizeOperator(false, named, "AdminService/PushCatalog");
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_EQ(bob->name, "bob");
}

TEST(OperatorAuthTest, ABearerTokenCarriesItsHoldersRoleAndWinsOverACertificate) {
  OperatorPeer viewer = Certified("alice", {"admin"});  // a token given beside it wins
  viewer.token_presented = true;
  viewer.token_holder = OperatorCaller{"vera@token", OperatorRole::kViewer};
  absl::StatusOr<OperatorCaller> read = AuthorizeOperator(true, viewer, "AdminService/GetStatus");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->name, "vera@token");
  absl::StatusOr<OperatorCaller> sync = AuthorizeOperator(true, viewer, "AdminService/SyncNow");
  ASSERT_FALSE(sync.ok());
  EXPECT_EQ(sync.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(sync.status().message(), "needs role operator; 'vera@token'"))
      << sync.status();

  OperatorPeer admin;  // no certificate at all
  admin.token_presented = true;
  admin.token_holder = OperatorCaller{"ada@token", OperatorRole::kAdmin};
  EXPECT_TRUE(AuthorizeOperator(true, admin, "AdminService/PushCatalog").ok());

  OperatorPeer unknown = Certified("alice", {"admin"});
  unknown.token_presented = true;
  absl::StatusOr<OperatorCaller> refused =
      AuthorizeOperator(true, unknown, "AdminService/GetStatus");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(OperatorAuthTest, RoleNamesRoundTrip) {
  for (OperatorRole role : {OperatorRole::kViewer, OperatorRole::kOperator, OperatorRole::kAdmin}) {
    EXPECT_EQ(ParseOperatorRole(OperatorRoleName(role)), role);
  }
  EXPECT_FALSE(ParseOperatorRole("Admin").has_value());
  EXPECT_FALSE(ParseOperatorRole("").has_value());
}

}  // namespace
}  // namespace fedsync
