#include "shared/dev_pki.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace fedsync {
namespace {

class DevPkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/dev_pki_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Cert = std::unique_ptr<X509, CertDeleter>;

Cert ReadCert(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  Cert cert(PEM_read_X509(file, nullptr, nullptr, nullptr));
  std::fclose(file);
  return cert;
}

EVP_PKEY* ReadKey(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return nullptr;
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return key;
}

std::string NameField(X509* cert, int nid) {
  char text[256] = "";
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, text, sizeof(text)) < 0) {
    return "";
  }
  return text;
}

std::vector<std::string> DnsNames(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
    if (name->type != GEN_DNS) continue;
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                       ASN1_STRING_length(name->d.dNSName));
  }
  GENERAL_NAMES_free(sans);
  return names;
}

bool Verifies(X509* cert, X509* ca) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* context = X509_STORE_CTX_new();
  X509_STORE_CTX_init(context, store, cert, nullptr);
  bool ok = X509_verify_cert(context) == 1;
  X509_STORE_CTX_free(context);
  X509_STORE_free(store);
  return ok;
}

int ModeOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return -1;
  return info.st_mode & 0777;
}

TEST_F(DevPkiTest, IssuesNodeAndOperatorCertificatesThatChainToTheCa) {
  DevPkiOptions options;
  options.out_dir = dir_;
  options.nodes = {"hefei", "luyang"};
  options.operators = {{"alice", "operator"}};
  options.validity_days = 30;
  absl::StatusOr<std::vector<std::string>> written = CreateDevPki(options);
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->size(), 3u);

  Cert ca = ReadCert(dir_ + "/ca.pem");
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(ModeOf(dir_ + "/ca-key.pem"), 0600);

  struct Expected {
    std::string name;
    std::string role;
  };
  for (const Expected& expected :
       {Expected{"hefei", ""}, Expected{"luyang", ""}, Expected{"alice", "operator"}}) {
    SCOPED_TRACE(expected.name);
    std::string subject_dir = dir_ + "/" + expected.name;
    Cert cert = ReadCert(subject_dir + "/cert.pem");
    ASSERT_NE(cert, nullptr);
    EXPECT_EQ(NameField(cert.get(), NID_commonName), expected.name);
    EXPECT_EQ(NameField(cert.get(), NID_organizationalUnitName), expected.role);
    if (expected.role.empty()) {
      // A node serves and dials under its DNS name.
      EXPECT_EQ(DnsNames(cert.get()), std::vector<std::string>{expected.name});
      EXPECT_EQ(X509_get_extended_key_usage(cert.get()), XKU_SSL_SERVER | XKU_SSL_CLIENT);
    } else {
      // An operator only dials, and has no name a node could be dialled by.
      EXPECT_TRUE(DnsNames(cert.get()).empty());
      EXPECT_EQ(X509_get_extended_key_usage(cert.get()), XKU_SSL_CLIENT);
    }
    EXPECT_TRUE(Verifies(cert.get(), ca.get()));
    EXPECT_EQ(X509_check_ca(cert.get()), 0);

    // The copy of the CA next to the certificate is the CA.
    Cert local_ca = ReadCert(subject_dir + "/ca.pem");
    ASSERT_NE(local_ca, nullptr);
    EXPECT_EQ(X509_cmp(local_ca.get(), ca.get()), 0);

    EVP_PKEY* key = ReadKey(subject_dir + "/key.pem");
    ASSERT_NE(key, nullptr);
    EXPECT_EQ(X509_check_private_key(cert.get(), key), 1);
    EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
    EVP_PKEY_free(key);
    EXPECT_EQ(ModeOf(subject_dir + "/key.pem"), 0600);

    // Valid for the days asked: expires after 29 days from now, not after 31.
    time_t in_29_days = time(nullptr) + 29 * 86400;
    time_t in_31_days = time(nullptr) + 31 * 86400;
    EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_29_days), 0);
    EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_31_days), 0);
  }
}

TEST_F(DevPkiTest, ReusesAnExistingCaAndAnotherCaDoesNotVerify) {
  DevPkiOptions first{dir_ + "/a", {"hefei"}, {}, 365};
  ASSERT_TRUE(CreateDevPki(first).ok());
  DevPkiOptions later{dir_ + "/a", {"yaohai"}, {}, 365};
  ASSERT_TRUE(CreateDevPki(later).ok());
  DevPkiOptions foreign{dir_ + "/b", {"stranger"}, {}, 365};
  ASSERT_TRUE(CreateDevPki(foreign).ok());

  Cert ca = ReadCert(dir_ + "/a/ca.pem");
  ASSERT_NE(ca, nullptr);
  Cert hefei = ReadCert(dir_ + "/a/hefei/cert.pem");
  Cert yaohai = ReadCert(dir_ + "/a/yaohai/cert.pem");
  Cert stranger = ReadCert(dir_ + "/b/stranger/cert.pem");
  ASSERT_TRUE(hefei && yaohai && stranger);
  EXPECT_TRUE(Verifies(hefei.get(), ca.get()));
  EXPECT_TRUE(Verifies(yaohai.get(), ca.get()));
  EXPECT_FALSE(Verifies(stranger.get(), ca.get()));
}

std::string FileText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(DevPkiTest, ANameDirHoldsIsReplacedOnlyWithForceAndNeverAsTheOtherKind) {
  ASSERT_TRUE(CreateDevPki({dir_, {"hefei"}, {{"vera", "viewer"}}, 365}).ok());
  const std::string hefei_cert = FileText(dir_ + "/hefei/cert.pem");
  const std::string hefei_key = FileText(dir_ + "/hefei/key.pem");
  ASSERT_FALSE(hefei_cert.empty());

  struct Case {
    const char* what;
    DevPkiOptions options;
    std::string says;
  };
  const Case refused[] = {
      {"a node again", {dir_, {"hefei"}, {}, 365}, "--force"},
      {"an operator again", {dir_, {}, {{"vera", "viewer"}}, 365}, "--force"},
      {"a node as an operator", {dir_, {}, {{"hefei", "viewer"}}, 365, true}, "a node"},
      {"an operator as a node", {dir_, {"vera"}, {}, 365, true}, "an operator"},
      {"with a new name", {dir_, {"luyang", "hefei"}, {}, 365}, "--force"},
  };
  for (const Case& test : refused) {
    SCOPED_TRACE(test.what);
    absl::Status status = CreateDevPki(test.options).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_NE(std::string(status.message()).find(test.says), std::string::npos) << status;
  }
  // Nothing was written by a refused run, not even its new names.
  EXPECT_EQ(FileText(dir_ + "/hefei/cert.pem"), hefei_cert);
  EXPECT_EQ(FileText(dir_ + "/hefei/key.pem"), hefei_key);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/luyang"));

  // --force replaces a node's key and certificate with a node's.
  ASSERT_TRUE(CreateDevPki({dir_, {"hefei"}, {}, 365, true}).ok());
  EXPECT_NE(FileText(dir_ + "/hefei/key.pem"), hefei_key);
  Cert replaced = ReadCert(dir_ + "/hefei/cert.pem");
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(NameField(replaced.get(), NID_organizationalUnitName), "");
}

// Re-signs the CA in `dir` to have expired a day ago.
void ExpireCa(const std::string& dir) {
  Cert ca = ReadCert(dir + "/ca.pem");
  EVP_PKEY* key = ReadKey(dir + "/ca-key.pem");
  ASSERT_TRUE(ca != nullptr && key != nullptr);
  ASSERT_NE(X509_gmtime_adj(X509_getm_notBefore(ca.get()), -10L * 86400), nullptr);
  ASSERT_NE(X509_gmtime_adj(X509_getm_notAfter(ca.get()), -86400L), nullptr);
  ASSERT_GT(X509_sign(ca.get(), key, EVP_sha256()), 0);
  EVP_PKEY_free(key);
  FILE* file = std::fopen((dir + "/ca.pem").c_str(), "w");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(PEM_write_X509(file, ca.get()), 1);
  std::fclose(file);
}

TEST_F(DevPkiTest, AnExistingCaIsCheckedBeforeItSigns) {
  // A CA for 30 days: a certificate asked for a year ends with it.
  ASSERT_TRUE(CreateDevPki({dir_, {"hefei"}, {}, 30}).ok());
  ASSERT_TRUE(CreateDevPki({dir_, {"luyang"}, {}, 365}).ok());
  Cert ca = ReadCert(dir_ + "/ca.pem");
  Cert luyang = ReadCert(dir_ + "/luyang/cert.pem");
  ASSERT_TRUE(ca && luyang);
  EXPECT_LE(ASN1_TIME_compare(X509_get0_notAfter(luyang.get()), X509_get0_notAfter(ca.get())), 0);
  EXPECT_TRUE(Verifies(luyang.get(), ca.get()));

  // A CA key others may read is not used.
  ASSERT_EQ(::chmod((dir_ + "/ca-key.pem").c_str(), 0644), 0);
  absl::Status readable = CreateDevPki({dir_, {"yaohai"}, {}, 30}).status();
  EXPECT_EQ(readable.code(), absl::StatusCode::kFailedPrecondition) << readable;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/yaohai/cert.pem"));
  ASSERT_EQ(::chmod((dir_ + "/ca-key.pem").c_str(), 0600), 0);

  // An expired CA is refused, saying so.
  ExpireCa(dir_);
  absl::Status expired = CreateDevPki({dir_, {"yaohai"}, {}, 30}).status();
  EXPECT_EQ(expired.code(), absl::StatusCode::kFailedPrecondition) << expired;
  EXPECT_NE(std::string(expired.message()).find("expired"), std::string::npos) << expired;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/yaohai/cert.pem"));
}

TEST_F(DevPkiTest, RefusesBadInput) {
  struct Case {
    const char* what;
    DevPkiOptions options;
  };
  const Case cases[] = {
      {"no subjects", {dir_, {}, {}, 365}},
      {"path in a name", {dir_, {"../etc"}, {}, 365}},
      {"upper case", {dir_, {"Hefei"}, {}, 365}},
      {"duplicate", {dir_, {"hefei"}, {{"hefei", "admin"}}, 365}},
      {"zero days", {dir_, {"hefei"}, {}, 0}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(CreateDevPki(c.options).status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ca.pem"));
}

TEST(DevPkiParseTest, OperatorSpecs) {
  absl::StatusOr<DevPkiSubject> alice = ParseOperatorSpec("alice:admin");
  ASSERT_TRUE(alice.ok()) << alice.status();
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->role, "admin");
  for (const char* bad : {"alice", "alice:root", ":viewer", "Al ice:viewer", "alice:"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(ParseOperatorSpec(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace fedsync
