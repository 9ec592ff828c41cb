#include "shared/node_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "shared/limits.h"
#include "shared/privacy_floor.h"
#include "shared/status_macros.h"
#include "shared/tls_credentials.h"

namespace fedsync {
namespace {

// A threshold above this would suppress nearly every cell of a district.
constexpr int kMaxMinSuppressionThreshold = 100;

// Collects the first parse error with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (text.empty()) text = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  std::string text;
};

absl::string_view HostOf(absl::string_view host_port) {
  if (absl::StartsWith(host_port, "[")) {
    size_t end = host_port.find(']');
    return end == absl::string_view::npos ? host_port : host_port.substr(1, end - 1);
  }
  size_t colon = host_port.rfind(':');
  return colon == absl::string_view::npos ? host_port : host_port.substr(0, colon);
}

}  // namespace

absl::StatusOr<v1::NodeConfig> LoadNodeConfig(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    // An ifstream opens a directory and reads nothing: it would pass for an empty config.
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, " cannot be read: it is a directory"));
  }
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("config file ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, " cannot be read"));
  }
  v1::NodeConfig config;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text.str(), &config)) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": ", errors.text));
  }
  return config;
}

absl::Status FinishNodeConfig(v1::NodeConfig* config) {
  if (config->id().empty()) return absl::InvalidArgumentError("--id is required");
  if (config->db().empty()) return absl::InvalidArgumentError("--db is required");
  if (config->listen().empty()) return absl::InvalidArgumentError("--listen is required");
  for (char c : config->id()) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return absl::InvalidArgumentError(
          "--id must be lower-case letters, digits, '_' or '-' (e.g. luyang)");
    }
  }
  if (config->path().empty()) config->set_path(config->id());
  if (config->debounce_millis() <= 0) config->set_debounce_millis(200);
  if (config->heartbeat_millis() <= 0) config->set_heartbeat_millis(5000);
  if (config->batch_cells() <= 0) config->set_batch_cells(500);
  if (config->batch_cells() > kMaxCellsPerBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_cells: at most ", kMaxCellsPerBatch, ", which a parent accepts"));
  }
  if (config->child_max_cells() < 0 || config->child_cells_per_second() < 0 ||
      config->child_burst_cells() < 0) {
    return absl::InvalidArgumentError(
        "child_max_cells, child_cells_per_second and child_burst_cells: 0 (the default) or "
        "positive");
  }
  if (config->child_max_cells() == 0) config->set_child_max_cells(kDefaultChildMaxCells);
  if (config->child_cells_per_second() == 0) {
    config->set_child_cells_per_second(kDefaultChildCellsPerSecond);
  }
  if (config->child_burst_cells() == 0) {
    config->set_child_burst_cells(
        std::max<int64_t>(10 * config->child_cells_per_second(), kMaxCellsPerBatch));
  }
  if (config->child_burst_cells() < kMaxCellsPerBatch) {
    return absl::InvalidArgumentError(absl::StrCat("child_burst_cells: at least ",
                                                   kMaxCellsPerBatch, ", the cells of one batch"));
  }
  if (config->child_idle_millis() < 0) {
    return absl::InvalidArgumentError("child_idle_millis: 0 (the default) or positive");
  }
  if (config->child_idle_millis() == 0) config->set_child_idle_millis(kDefaultChildIdleMillis);
  if (config->min_suppression_threshold() == 0) {
    config->set_min_suppression_threshold(PrivacyFloor::kDefaultMinThreshold);
  }
  if (config->min_suppression_threshold() < PrivacyFloor::kDefaultMinThreshold ||
      config->min_suppression_threshold() > kMaxMinSuppressionThreshold) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_suppression_threshold: from ", PrivacyFloor::kDefaultMinThreshold, " to ",
                     kMaxMinSuppressionThreshold, "; the floor may be raised, never lowered"));
  }
  if (config->month_deadline_days() <= 0) config->set_month_deadline_days(10);
  if (config->quarter_deadline_days() <= 0) config->set_quarter_deadline_days(15);
  if (config->year_deadline_days() <= 0) config->set_year_deadline_days(31);
  return absl::OkStatus();
}

void OverrideTransport(const std::string& tls_dir, std::optional<bool> insecure,
                       v1::NodeConfig* config) {
  if (!tls_dir.empty()) {
    config->set_tls_dir(tls_dir);
    if (!insecure.has_value()) config->set_insecure(false);
  }
  if (insecure.has_value()) {
    config->set_insecure(*insecure);
    if (*insecure && tls_dir.empty()) config->clear_tls_dir();
  }
}

bool IsLoopbackAddress(absl::string_view host_port) {
  const std::string host(HostOf(host_port));
  if (host == "localhost" || host == "::1") return true;
  // A dotted IPv4 address in 127.0.0.0/8; not a name that merely starts with "127."
  // (127.0.0.1.example.net resolves wherever its owner likes).
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

namespace {

// Ok when the node may run plaintext: asked for, without certificates, on loopback.
absl::Status CheckTransport(const v1::NodeConfig& config, const std::string& address,
                            const char* what) {
  if (!config.tls_dir().empty()) {
    if (config.insecure()) {
      return absl::FailedPreconditionError("give --tls-dir or --insecure, not both");
    }
    return absl::OkStatus();
  }
  if (!config.insecure()) {
    return absl::FailedPreconditionError(
        "this node has no TLS certificates configured: pass --tls-dir=DIR (fedctl certs "
        "init makes them), or for development on loopback, --insecure");
  }
  if (!address.empty() && !IsLoopbackAddress(address)) {
    return absl::FailedPreconditionError(
        absl::StrCat("--insecure is allowed only on loopback addresses; refusing ", what, address));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const v1::NodeConfig& config) {
  RETURN_IF_ERROR(CheckTransport(config, config.listen(), "to serve plaintext on "));
  if (config.insecure()) return grpc::InsecureServerCredentials();
  ASSIGN_OR_RETURN(TlsFiles files, LoadTlsDir(config.tls_dir()));
  // Operators with a bearer token connect without a client certificate.
  return MutualTlsServerCredentials(
      files,
      /*client_certificate_optional=*/config.operator_tokens_size() > 0);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ParentCredentialsFor(
    const v1::NodeConfig& config) {
  RETURN_IF_ERROR(CheckTransport(config, config.parent(), "plaintext to "));
  if (config.insecure()) return grpc::InsecureChannelCredentials();
  if (!config.parent().empty() && config.parent_id().empty()) {
    return absl::FailedPreconditionError(
        "--parent-id is required with --tls-dir and --parent: the parent's certificate "
        "must name it");
  }
  ASSIGN_OR_RETURN(TlsFiles files, LoadTlsDir(config.tls_dir()));
  return MutualTlsChannelCredentials(files);
}

namespace {
std::string HostPort(absl::string_view listen, int port) {
  std::string host(HostOf(listen));
  if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
  return absl::StrCat(host, ":", port);
}
}  // namespace

std::string AdvertisedAddress(const v1::NodeConfig& config, int port) {
  return config.advertise().empty() ? HostPort(config.listen(), port) : config.advertise();
}

void AnnounceListening(absl::string_view listen, int port) {
  std::printf("listening on %s\n", HostPort(listen, port).c_str());
  std::fflush(stdout);
}

}  // namespace fedsync
