#include "tests/integration/test_pki.h"

#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "shared/dev_pki.h"
#include "shared/tls_credentials.h"
#include "tests/integration/process.h"

namespace fedsync::testing {
namespace {

class TestPki {
 public:
  static TestPki& Get() {
    static TestPki pki;  // destroyed at exit, and its directory with it
    return pki;
  }

  // Issues `subject` the first time it is asked for; the CA is made with the first.
  std::string DirOf(const DevPkiSubject& subject) {
    absl::MutexLock lock(&mutex_);
    const std::string dir = root_.File("pki/" + subject.name);
    auto issued = issued_.find(subject.name);
    if (issued != issued_.end()) {
      EXPECT_EQ(issued->second, subject.role) << subject.name << " was issued another role";
      return dir;
    }
    DevPkiOptions options;
    options.out_dir = root_.File("pki");
    if (subject.role.empty()) {
      options.nodes.push_back(subject.name);
    } else {
      options.operators.push_back(subject);
    }
    absl::StatusOr<std::vector<std::string>> written = CreateDevPki(options);
    EXPECT_TRUE(written.ok()) << subject.name << ": " << written.status();
    if (written.ok()) issued_.insert({subject.name, subject.role});
    return dir;
  }

 private:
  TestPki() = default;

  absl::Mutex mutex_;
  TempDir root_;
  std::map<std::string, std::string> issued_ ABSL_GUARDED_BY(mutex_);  // name -> role
};

}  // namespace

std::string NodeTlsDir(const std::string& id) { return TestPki::Get().DirOf({id, ""}); }

std::string OperatorTlsDir(const std::string& name, const std::string& role) {
  return TestPki::Get().DirOf({name, role});
}

std::shared_ptr<grpc::ChannelCredentials> TlsCredentials(const std::string& tls_dir) {
  absl::StatusOr<TlsFiles> files = LoadTlsDir(tls_dir);
  EXPECT_TRUE(files.ok()) << files.status();
  // Without the files: TLS that trusts no CA, so every call fails closed.
  return MutualTlsChannelCredentials(files.ok() ? *files : TlsFiles{"-", "", ""});
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address, const std::string& server_id,
                                          const std::string& client_tls_dir) {
  grpc::ChannelArguments args;
  SetServerName(server_id, &args);
  return grpc::CreateCustomChannel(address, TlsCredentials(client_tls_dir), args);
}

AdminClient Admin(const std::string& address, const std::string& server_id,
                  absl::Duration timeout) {
  return AdminClient(address, TlsCredentials(OperatorTlsDir()), timeout, server_id);
}

std::vector<std::string> FedctlTarget(const std::string& address, const std::string& server_id,
                                      const std::string& operator_dir) {
  return {"--target=" + address, "--tls-dir=" + operator_dir, "--server-id=" + server_id};
}

}  // namespace fedsync::testing
