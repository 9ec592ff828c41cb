// district_node: a district's registries, statistics and uplink.
//   district_node --id=luyang --db=luyang.db --listen=127.0.0.1:0
//                 --parent=127.0.0.1:7001 --demo-data=luyang --insecure
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "district_node/admin_service.h"
#include "district_node/district_node.h"
#include "district_node/registry_service.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "shared/help_flag.h"
#include "shared/http_server.h"
#include "shared/logging.h"
#include "shared/node_config.h"
#include "shared/node_metrics.h"
#include "shared/operator_tokens.h"
#include "shared/server_runner.h"

ABSL_FLAG(std::string, id, "", "this district's id, e.g. luyang (required)");
ABSL_FLAG(std::string, db, "", "path of the SQLite database (required)");
ABSL_FLAG(std::string, listen, "", "HOST:PORT to serve on; port 0 picks a free port (required)");
ABSL_FLAG(std::string, parent, "", "HOST:PORT of the city node to stream cells to");
ABSL_FLAG(std::string, path, "", "position in the tree, e.g. anhui/hefei/luyang");
ABSL_FLAG(std::string, config, "", "node config file (fedsync.v1.NodeConfig, text format)");
ABSL_FLAG(std::string, demo_data, "", "load this district's demo data into an empty database");
ABSL_FLAG(std::string, advertise, "",
          "HOST:PORT operators use to reach this node (default: listen host, bound port)");
ABSL_FLAG(bool, insecure, false, "serve and dial plaintext; loopback addresses only");
ABSL_FLAG(std::string, tls_dir, "",
          "mutual TLS with DIR/{ca.pem,cert.pem,key.pem} (fedctl certs init --node=ID)");
ABSL_FLAG(std::string, parent_id, "",
          "the parent's node id, which its certificate must name (required with --tls-dir "
          "and --parent)");
ABSL_FLAG(std::vector<std::string>, registry_operators, {},
          "NAME,...: the operators who may call the registry service (the district's own: "
          "certificate names, NAME@token for a token; config registry_operators)");
ABSL_FLAG(int32_t, min_suppression_threshold, 0,
          "the least SUPPRESSION threshold this district runs, whatever the catalog from "
          "above says (default 3; may be raised, not lowered)");
ABSL_FLAG(int64_t, debounce_ms, -1, "ignored: a registry write publishes its cells at once (kept for old scripts)");
ABSL_FLAG(std::string, http, "",
          "HOST:PORT of /metrics, loopback only; port 0 picks a free port");
ABSL_FLAG(std::string, log_level, "info", "log level: debug, info, warning or error");

namespace {

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "district_node: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  fedsync::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "a district node of fedsync.\n  district_node --id=ID --db=PATH --listen=HOST:PORT "
      "[--parent=HOST:PORT] [--config=FILE] [--demo-data=DISTRICT_ID] [--tls-dir=DIR --parent-id=ID | --insecure]");
  // Abseil's --help exits 1; asking for the usage is not a failure.
  if (fedsync::HandleHelpFlag(argc, argv, std::cout)) return 0;
  fedsync::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);

  fedsync::LogLevel level;
  if (!fedsync::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    return Fail("--log-level must be debug, info, warning or error", 2);
  }
  fedsync::SetMinLogLevel(level);

  fedsync::v1::NodeConfig config;
  if (!absl::GetFlag(FLAGS_config).empty()) {
    absl::StatusOr<fedsync::v1::NodeConfig> loaded =
        fedsync::LoadNodeConfig(absl::GetFlag(FLAGS_config));
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()), 2);
    config = *loaded;
  }
  auto override_string = [](const std::string& value, auto setter) {
    if (!value.empty()) setter(value);
  };
  override_string(absl::GetFlag(FLAGS_id), [&](const std::string& v) { config.set_id(v); });
  override_string(absl::GetFlag(FLAGS_db), [&](const std::string& v) { config.set_db(v); });
  override_string(absl::GetFlag(FLAGS_listen), [&](const std::string& v) { config.set_listen(v); });
  override_string(absl::GetFlag(FLAGS_parent), [&](const std::string& v) { config.set_parent(v); });
  override_string(absl::GetFlag(FLAGS_path), [&](const std::string& v) { config.set_path(v); });
  override_string(absl::GetFlag(FLAGS_demo_data),
                  [&](const std::string& v) { config.set_demo_data(v); });
  override_string(absl::GetFlag(FLAGS_advertise),
                  [&](const std::string& v) { config.set_advertise(v); });
  override_string(absl::GetFlag(FLAGS_http), [&](const std::string& v) { config.set_http(v); });
  override_string(absl::GetFlag(FLAGS_parent_id),
                  [&](const std::string& v) { config.set_parent_id(v); });
  if (!absl::GetFlag(FLAGS_registry_operators).empty()) {
    config.clear_registry_operators();
    for (const std::string& name : absl::GetFlag(FLAGS_registry_operators)) {
      config.add_registry_operators(name);
    }
  }
  if (absl::GetFlag(FLAGS_min_suppression_threshold) != 0) {
    config.set_min_suppression_threshold(absl::GetFlag(FLAGS_min_suppression_threshold));
  }
  fedsync::OverrideTransport(absl::GetFlag(FLAGS_tls_dir),
                             fedsync::BoolFlagGiven(argc, argv, "insecure")
                                 ? std::optional<bool>(absl::GetFlag(FLAGS_insecure))
                                 : std::nullopt,
                             &config);
  if (absl::GetFlag(FLAGS_debounce_ms) >= 0) {
    // 0 means "publish at once"; FinishNodeConfig treats <= 0 as unset.
    config.set_debounce_millis(absl::GetFlag(FLAGS_debounce_ms) == 0 ? 1
                                                                     : absl::GetFlag(FLAGS_debounce_ms));
  }
  config.set_level(fedsync::v1::DISTRICT);
  if (absl::Status status = fedsync::FinishNodeConfig(&config); !status.ok()) {
    return Fail(absl::StrCat(status.message(), " (see district_node --help)"), 2);
  }
  auto server_credentials = fedsync::ServerCredentialsFor(config);
  if (!server_credentials.ok()) return Fail(std::string(server_credentials.status().message()), 2);
  absl::StatusOr<fedsync::OperatorTokens> operator_tokens =
      fedsync::OperatorTokens::FromConfig(config.operator_tokens());
  if (!operator_tokens.ok()) return Fail(std::string(operator_tokens.status().message()), 2);
  auto parent_credentials = fedsync::ParentCredentialsFor(config);
  if (!parent_credentials.ok()) return Fail(std::string(parent_credentials.status().message()), 2);

  if (!config.http().empty()) {
    if (absl::Status status = fedsync::CheckHttpAddress(config.http()); !status.ok()) {
      return Fail(std::string(status.message()), 2);
    }
  }

  auto node = fedsync::DistrictNode::Create(config, *parent_credentials, fedsync::Clock::Real());
  if (!node.ok()) return Fail(std::string(node.status().message()));

  // /metrics; started before the gRPC server so that a port in use stops the node
  // before it serves anything.
  const int metrics_collector = fedsync::RegisterNodeMetrics(
      &fedsync::DefaultMetrics(),
      {config.id(), "district", config.db(), [&node] { return (*node)->Status(); }});
  std::unique_ptr<fedsync::HttpServer> http;
  if (!config.http().empty()) {
    auto started = fedsync::HttpServer::Start(
        config.http(), {{"/metrics", fedsync::MetricsHandler(&fedsync::DefaultMetrics())}});
    if (!started.ok()) return Fail(std::string(started.status().message()));
    http = std::move(*started);
  }

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  const fedsync::OperatorAuth operator_auth(
      !config.tls_dir().empty(), &*operator_tokens,
      std::set<std::string>(config.registry_operators().begin(),
                            config.registry_operators().end()));
  fedsync::RegistryService registry_service(node->get(), &operator_auth);
  fedsync::DistrictAdminService admin_service(node->get(), &operator_auth);
  auto server = fedsync::StartServer(config.listen(), *server_credentials,
                                     {&registry_service, &admin_service});
  if (!server.ok()) return Fail(std::string(server.status().message()));
  fedsync::AnnounceListening(config.listen(), server->port);
  if (http != nullptr) fedsync::AnnounceHttp(config.http(), http->port());
  if (absl::Status status = (*node)->Start(fedsync::AdvertisedAddress(config, server->port));
      !status.ok()) {
    server->server->Shutdown(std::chrono::system_clock::now());
    return Fail(std::string(status.message()));
  }
  fedsync::LogInfo("node.started", {{"id", config.id()}, {"level", "district"},
                                    {"port", server->port}, {"parent", config.parent()}});

  int signal = fedsync::WaitForTerminationSignal();
  fedsync::LogInfo("node.stopping", {{"signal", signal}});
  // HTTP first: its handlers read the node.
  if (http != nullptr) http->Stop();
  fedsync::DefaultMetrics().RemoveCollector(metrics_collector);
  (*node)->Stop();
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  node->reset();
  fedsync::LogInfo("node.stopped", {{"id", config.id()}});
  return 0;
}
