// Node configuration: a protobuf text-format file (fedsync.v1.NodeConfig) checked
// against its schema, with flags applied on top by main.cc. Also the transport rules
// that every node applies the same way.
#ifndef FEDSYNC_SHARED_NODE_CONFIG_H_
#define FEDSYNC_SHARED_NODE_CONFIG_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fedsync/v1/config.pb.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace fedsync {

// kNotFound when the file is missing; kInvalidArgument when it is a directory or cannot
// be read, or naming the line and field when it does not parse against the schema.
absl::StatusOr<v1::NodeConfig> LoadNodeConfig(const std::string& path);

// Fills defaults and checks required fields (id, db, listen), naming the missing flag.
absl::Status FinishNodeConfig(v1::NodeConfig* config);

// The transport given on the command line replaces the config file's: a --tls-dir
// (non-empty `tls_dir`) clears a configured `insecure`, and an --insecure given either
// way (`insecure` set) sets it, dropping a configured tls_dir when true. Both given
// together stay both set, for FinishNodeConfig's transport check to refuse.
void OverrideTransport(const std::string& tls_dir, std::optional<bool> insecure,
                       v1::NodeConfig* config);

// True when HOST of HOST:PORT is a loopback address: a dotted IPv4 address in
// 127.0.0.0/8, ::1 ([::1]:PORT) or localhost. A DNS name is never loopback here.
bool IsLoopbackAddress(absl::string_view host_port);

// Credentials for serving and for dialling the parent: mutual TLS from the files in
// `tls_dir` (shared/tls_credentials.h); plaintext only when `insecure` is set instead and
// every address is loopback. Otherwise kFailedPrecondition says why the node will not
// start (no certificates, both given, unreadable files, TLS to a parent without
// parent_id). A node with operator_tokens lets clients connect without a certificate
// (operators with a token); children and other operators still need one.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const v1::NodeConfig& config);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ParentCredentialsFor(
    const v1::NodeConfig& config);

// The address operators (and a parent's verify) use to reach this node: --advertise
// when set, else the listen host with the port the server bound.
std::string AdvertisedAddress(const v1::NodeConfig& config, int port);

// Prints "listening on HOST:PORT" as the first line on stdout, flushed at once.
void AnnounceListening(absl::string_view listen, int port);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_NODE_CONFIG_H_
