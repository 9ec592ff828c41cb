// A development public-key infrastructure for mutual TLS: one CA and, for every node
// and operator, a key and a certificate signed by it, written as
//   DIR/ca.pem, DIR/ca-key.pem                 the CA (the key readable by the owner only)
//   DIR/NAME/{ca.pem,cert.pem,key.pem}         what a node or fedctl takes as --tls-dir
// Keys are ECDSA P-256; certificates name the subject as CN. A node's also names it as a
// DNS subject alternative name (a parent reads a child's id from there, a child checks
// its parent's) and may serve and dial (serverAuth, clientAuth); an operator's carries
// its role as OU, no DNS name, and may only dial (clientAuth). When DIR already holds a
// CA, it is reused, so more names can be added later and every certificate in DIR
// chains to the same root. A name DIR already holds is not issued again unless forced,
// and never as the other kind (a node's name to an operator or back). An existing CA is
// refused when it has expired or its key is readable by others; no certificate is
// issued to outlive the CA. Production operators bring their own
// CA with the same layout (README.md).
//
// Plain C++ over OpenSSL 3's EVP APIs; no gRPC. Thread-compatible. Failures:
// kInvalidArgument for a bad name, role or validity; kInternal when OpenSSL fails;
// the errno-derived code when a file cannot be written.
#ifndef FEDSYNC_SHARED_DEV_PKI_H_
#define FEDSYNC_SHARED_DEV_PKI_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fedsync {

// The operator roles a certificate can carry, weakest first.
inline constexpr const char* kOperatorRoles[] = {"viewer", "operator", "admin"};

struct DevPkiSubject {
  std::string name;  // node id or operator name: lower-case letters, digits, '_', '-'
  std::string role;  // empty for a node; viewer, operator or admin for an operator
};

struct DevPkiOptions {
  std::string out_dir;
  std::vector<std::string> nodes;
  std::vector<DevPkiSubject> operators;
  int validity_days = 365;  // of every certificate issued (and of a new CA)
  // Replace the key and certificate of a name DIR already holds (of the same kind:
  // a node stays a node, an operator an operator).
  bool force = false;
};

// "alice:operator" -> {alice, operator}; kInvalidArgument naming what is wrong.
absl::StatusOr<DevPkiSubject> ParseOperatorSpec(absl::string_view spec);

// Checks a node id or operator name: it becomes a directory and a DNS name.
absl::Status CheckSubjectName(absl::string_view name);

// Creates (or reuses) the CA in options.out_dir and issues every node and operator
// certificate. Names must be distinct. Returns the directories written, one per name.
// kFailedPrecondition, before anything is written, when DIR/NAME already holds a key
// or certificate (unless options.force, and then only for the same kind).
absl::StatusOr<std::vector<std::string>> CreateDevPki(const DevPkiOptions& options);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_DEV_PKI_H_
