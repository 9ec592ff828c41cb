// city_node: the aggregating node at every level above the district.
//   city_node --id=hefei --level=city --db=hefei.db --listen=127.0.0.1:0
//             --parent=127.0.0.1:7000 --insecure
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "city_node/admin_service.h"
#include "city_node/child_limits.h"
#include "city_node/city_node.h"
#include "city_node/dashboard.h"
#include "city_node/federation_service.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "shared/clock.h"
#include "shared/database.h"
#include "shared/help_flag.h"
#include "shared/http_server.h"
#include "shared/logging.h"
#include "shared/node_config.h"
#include "shared/node_metrics.h"
#include "shared/operator_tokens.h"
#include "shared/server_runner.h"

ABSL_FLAG(std::string, id, "", "this node's id, e.g. hefei (required)");
ABSL_FLAG(std::string, level, "", "city, province or national (required)");
ABSL_FLAG(std::string, db, "", "path of the SQLite database (required)");
ABSL_FLAG(std::string, listen, "", "HOST:PORT to serve on; port 0 picks a free port (required)");
ABSL_FLAG(std::string, parent, "", "HOST:PORT of the parent node, if any");
ABSL_FLAG(std::string, path, "", "position in the tree, e.g. anhui/hefei");
ABSL_FLAG(std::string, config, "", "node config file (fedsync.v1.NodeConfig, text format)");
ABSL_FLAG(std::string, advertise, "",
          "HOST:PORT operators use to reach this node (default: listen host, bound port)");
ABSL_FLAG(bool, insecure, false, "serve and dial plaintext; loopback addresses only");
ABSL_FLAG(std::string, tls_dir, "",
          "mutual TLS with DIR/{ca.pem,cert.pem,key.pem} (fedctl certs init --node=ID)");
ABSL_FLAG(std::string, parent_id, "",
          "the parent's node id, which its certificate must name (required with --tls-dir "
          "and --parent)");
ABSL_FLAG(std::vector<std::string>, children, {},
          "with --tls-dir: the only child ids accepted, comma-separated (default: any node "
          "with a certificate from this node's CA, under its certificate's id; pass the list in "
          "production)");
ABSL_FLAG(int64_t, child_max_cells, 0,
          "live cells one child may hold here (default 1000000); more is refused");
ABSL_FLAG(int64_t, child_cells_per_second, 0,
          "cells a second one child may send (default 50000); faster is refused");
ABSL_FLAG(int64_t, child_burst_cells, 0,
          "cells one child may send at once (default 10 s of its rate)");
ABSL_FLAG(int64_t, child_idle_ms, 0,
          "close a child's stream silent this long (default 60000; above the children's "
          "heartbeat)");
ABSL_FLAG(std::string, http, "",
          "HOST:PORT of /metrics and the dashboard, loopback only; port 0 picks a free port");
ABSL_FLAG(std::string, log_level, "info", "log level: debug, info, warning or error");

namespace {

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "city_node: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  fedsync::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "an aggregating node of fedsync (city, province or national).\n  city_node --id=ID "
      "--level=city|province --db=PATH --listen=HOST:PORT [--parent=HOST:PORT] "
      "[--config=FILE] [--tls-dir=DIR --parent-id=ID | --insecure]");
  // Abseil's --help exits 1; asking for the usage is not a failure.
  if (fedsync::HandleHelpFlag(argc, argv, std::cout)) return 0;
  fedsync::NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);

  fedsync::LogLevel log_level;
  if (!fedsync::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &log_level)) {
    return Fail("--log-level must be debug, info, warning or error", 2);
  }
  fedsync::SetMinLogLevel(log_level);

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
  override_string(absl::GetFlag(FLAGS_advertise),
                  [&](const std::string& v) { config.set_advertise(v); });
  override_string(absl::GetFlag(FLAGS_http), [&](const std::string& v) { config.set_http(v); });
  override_string(absl::GetFlag(FLAGS_parent_id),
                  [&](const std::string& v) { config.set_parent_id(v); });
  if (!absl::GetFlag(FLAGS_children).empty()) {
    config.clear_children();
    for (const std::string& child : absl::GetFlag(FLAGS_children)) {
      if (!child.empty()) config.add_children(child);
    }
  }
  fedsync::OverrideTransport(absl::GetFlag(FLAGS_tls_dir),
                             fedsync::BoolFlagGiven(argc, argv, "insecure")
                                 ? std::optional<bool>(absl::GetFlag(FLAGS_insecure))
                                 : std::nullopt,
                             &config);
  if (absl::GetFlag(FLAGS_child_max_cells) != 0) {
    config.set_child_max_cells(absl::GetFlag(FLAGS_child_max_cells));
  }
  if (absl::GetFlag(FLAGS_child_cells_per_second) != 0) {
    config.set_child_cells_per_second(absl::GetFlag(FLAGS_child_cells_per_second));
  }
  if (absl::GetFlag(FLAGS_child_idle_ms) != 0) {
    config.set_child_idle_millis(absl::GetFlag(FLAGS_child_idle_ms));
  }
  if (absl::GetFlag(FLAGS_child_burst_cells) != 0) {
    config.set_child_burst_cells(absl::GetFlag(FLAGS_child_burst_cells));
  }
  if (!absl::GetFlag(FLAGS_level).empty()) {
    config.set_level(fedsync::ParseNodeLevel(absl::GetFlag(FLAGS_level)));
    if (config.level() == fedsync::v1::NODE_LEVEL_UNSPECIFIED) {
      return Fail("--level must be city, province or national", 2);
    }
  }
  if (config.level() == fedsync::v1::NODE_LEVEL_UNSPECIFIED ||
      config.level() == fedsync::v1::DISTRICT) {
    return Fail("--level is required: city, province or national (see city_node --help)", 2);
  }
  if (absl::Status status = fedsync::FinishNodeConfig(&config); !status.ok()) {
    return Fail(absl::StrCat(status.message(), " (see city_node --help)"), 2);
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

  auto node = fedsync::CityNode::Create(config, *parent_credentials);
  if (!node.ok()) return Fail(std::string(node.status().message()));

  // /metrics and the dashboard; started before the gRPC server so that a port in use
  // stops the node before it serves anything.
  const int metrics_collector = fedsync::RegisterNodeMetrics(
      &fedsync::DefaultMetrics(), {config.id(), fedsync::NodeLevelName(config.level()), config.db(),
                                   [&node] { return (*node)->Status(); }});
  fedsync::Dashboard dashboard(node->get());
  std::unique_ptr<fedsync::HttpServer> http;
  if (!config.http().empty()) {
    std::map<std::string, fedsync::HttpHandler> routes = dashboard.Routes();
    routes["/metrics"] = fedsync::MetricsHandler(&fedsync::DefaultMetrics());
    auto started = fedsync::HttpServer::Start(config.http(), std::move(routes));
    if (!started.ok()) return Fail(std::string(started.status().message()));
    http = std::move(*started);
  }

  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  const std::vector<std::string> children(config.children().begin(), config.children().end());
  const fedsync::ChildAdmission admission(!config.tls_dir().empty(), children, config.id(),
                                          config.parent_id());
  if (!config.tls_dir().empty() && admission.admits_any()) {
    // Not refused: tests and development trees start without a list. Every node of the
    // tree holds a certificate from the same CA, so any of them may stream here.
    fedsync::LogWarning(
        "children.any_admitted",
        {{"id", config.id()},
         {"reason",
          "no --children list: any node with a certificate from this node's CA is admitted as "
          "a child, so a node that also streams elsewhere in the tree is counted twice; pass "
          "--children=ID,... in production"}});
  }
  fedsync::ChildHub* hub = (*node)->hub();
  hub->SetMaxCellsPerChild(config.child_max_cells());
  fedsync::ChildLimits limits({config.child_cells_per_second(), config.child_burst_cells()},
                              fedsync::Clock::Real());
  fedsync::FederationService federation_service((*node)->hub(), &admission, &limits,
                                                absl::Milliseconds(config.child_idle_millis()));
  const fedsync::OperatorAuth operator_auth(!config.tls_dir().empty(), &*operator_tokens);
  fedsync::CityAdminService admin_service(node->get(), &operator_auth);
  auto server = fedsync::StartServer(config.listen(), *server_credentials,
                                     {&federation_service, &admin_service});
  if (!server.ok()) return Fail(std::string(server.status().message()));
  fedsync::AnnounceListening(config.listen(), server->port);
  if (http != nullptr) fedsync::AnnounceHttp(config.http(), http->port());
  (*node)->Start(fedsync::AdvertisedAddress(config, server->port));
  fedsync::LogInfo("node.started", {{"id", config.id()},
                                    {"level", absl::GetFlag(FLAGS_level)},
                                    {"port", server->port},
                                    {"parent", config.parent()}});

  int signal = fedsync::WaitForTerminationSignal();
  fedsync::LogInfo("node.stopping", {{"signal", signal}});
  // HTTP first (its handlers read the node), then stream loops (children and uplink),
  // then the server.
  if (http != nullptr) http->Stop();
  fedsync::DefaultMetrics().RemoveCollector(metrics_collector);
  (*node)->Stop();
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  node->reset();
  fedsync::LogInfo("node.stopped", {{"id", config.id()}});
  return 0;
}
