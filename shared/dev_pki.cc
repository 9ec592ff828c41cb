#include "shared/dev_pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "shared/files.h"
#include "shared/status_macros.h"

namespace fedsync {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct BignumFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

constexpr char kOrganization[] = "fedsync development";
constexpr char kCaName[] = "fedsync development CA";
// A certificate is valid from a few minutes before it is made, so that a peer whose
// clock is slightly behind accepts it.
constexpr long kBackdateSeconds = 300;

absl::Status OpenSslError(absl::string_view what) {
  unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("OpenSSL: ", what, ": ", text));
}

// Writes `contents` to `path` with `mode`, also when the file already exists with a
// wider mode (open's mode applies only on creation).
absl::StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size < 0) return OpenSslError("reading a memory buffer");
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("encoding a certificate");
  }
  return BioContents(bio.get());
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("encoding a private key");
  }
  return BioContents(bio.get());
}

absl::StatusOr<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("generating a P-256 key");
  return key;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return OpenSslError(absl::StrCat("making extension ", value));
  int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) return OpenSslError(absl::StrCat("adding extension ", value));
  return absl::OkStatus();
}

absl::Status AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return OpenSslError(absl::StrCat("setting ", field));
  }
  return absl::OkStatus();
}

// A certificate for `public_key` named `subject`, signed by `issuer_key` as `issuer`
// (the certificate itself when `issuer` is null: a self-signed CA).
absl::StatusOr<Cert> IssueCertificate(EVP_PKEY* public_key, const DevPkiSubject& subject,
                                      bool is_ca, X509* issuer, EVP_PKEY* issuer_key,
                                      int validity_days) {
  Cert cert(X509_new());
  if (cert == nullptr || X509_set_version(cert.get(), 2) != 1) {
    return OpenSslError("making a certificate");
  }
  // A random 159-bit serial, as RFC 5280 asks (positive, at most 20 octets).
  std::unique_ptr<BIGNUM, BignumFree> serial(BN_new());
  if (serial == nullptr || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("choosing a serial number");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * validity_days) == nullptr) {
    return OpenSslError("setting the validity");
  }
  // No certificate outlives its CA: peers would refuse it from that day anyway.
  if (issuer != nullptr &&
      ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(issuer)) > 0 &&
      X509_set1_notAfter(cert.get(), X509_get0_notAfter(issuer)) != 1) {
    return OpenSslError("capping the validity at the CA's");
  }
  if (X509_set_pubkey(cert.get(), public_key) != 1) return OpenSslError("setting the key");

  X509_NAME* name = X509_get_subject_name(cert.get());
  RETURN_IF_ERROR(AddNameEntry(name, "O", kOrganization));
  if (!subject.role.empty()) RETURN_IF_ERROR(AddNameEntry(name, "OU", subject.role));
  RETURN_IF_ERROR(AddNameEntry(name, "CN", subject.name));
  X509* signer = issuer == nullptr ? cert.get() : issuer;
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) {
    return OpenSslError("setting the issuer");
  }

  if (is_ca) {
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE"));
    RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign"));
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  } else {
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE"));
    RETURN_IF_ERROR(
        AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyAgreement"));
    if (subject.role.empty()) {
      // A node is a server (to its children and operators) and a client (to its
      // parent), named as a DNS name, which is what a peer dialling it checks.
      RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth"));
      RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_alt_name,
                                   absl::StrCat("DNS:", subject.name)));
    } else {
      // An operator is only ever a client, and its name is not a node's: no DNS name
      // and no serverAuth, so it cannot pose as a parent (whose uplink also refuses a
      // certificate with a role, shared/uplink.h). Nodes read its name from the CN.
      RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_ext_key_usage, "clientAuth"));
    }
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid"));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("signing a certificate");
  }
  return cert;
}

// "Nov 30 13:42:38 2026 GMT".
std::string AsnTimeText(const ASN1_TIME* time) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || ASN1_TIME_print(bio.get(), time) != 1) return "an unreadable date";
  absl::StatusOr<std::string> text = BioContents(bio.get());
  return text.ok() ? *text : "an unreadable date";
}

struct CertificateAuthority {
  Key key;
  Cert cert;
  std::string pem;
};

absl::StatusOr<CertificateAuthority> LoadCa(const std::string& cert_path,
                                            const std::string& key_path) {
  CertificateAuthority ca;
  ASSIGN_OR_RETURN(ca.pem, ReadFile(cert_path));
  // The CA's key signs every identity: refused when others may read it.
  ASSIGN_OR_RETURN(std::string key_pem, ReadPrivateFile(key_path));
  Bio cert_bio(BIO_new_mem_buf(ca.pem.data(), static_cast<int>(ca.pem.size())));
  Bio key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (cert_bio == nullptr || key_bio == nullptr) return OpenSslError("reading the CA");
  ca.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  ca.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (ca.cert == nullptr || ca.key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(cert_path, " or ", key_path, " is not a PEM certificate and key"));
  }
  if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(key_path, " is not the key of ", cert_path));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(ca.cert.get())) <= 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the CA in ", cert_path, " has expired (not after ",
        AsnTimeText(X509_get0_notAfter(ca.cert.get())),
        "); certificates it signs would be refused: make a new CA in another directory "
        "and issue every node and operator again"));
  }
  return ca;
}

absl::StatusOr<CertificateAuthority> NewCa(const std::string& cert_path,
                                           const std::string& key_path, int validity_days) {
  CertificateAuthority ca;
  ASSIGN_OR_RETURN(ca.key, NewKey());
  ASSIGN_OR_RETURN(ca.cert, IssueCertificate(ca.key.get(), {kCaName, ""}, /*is_ca=*/true, nullptr,
                                             ca.key.get(), validity_days));
  ASSIGN_OR_RETURN(ca.pem, CertPem(ca.cert.get()));
  ASSIGN_OR_RETURN(std::string key_pem, KeyPem(ca.key.get()));
  RETURN_IF_ERROR(WriteFile(key_path, key_pem, 0600));
  RETURN_IF_ERROR(WriteFile(cert_path, ca.pem, 0644));
  return ca;
}

// The role (OU) in the PEM certificate `pem`: empty for a node's; kFailedPrecondition
// when `pem` is not a certificate.
absl::StatusOr<std::string> RoleOf(const std::string& pem, const std::string& path) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a PEM certificate"));
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const int index = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1);
  if (index < 0) return std::string();
  const ASN1_STRING* text = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<size_t>(ASN1_STRING_length(text)));
}

// Ok when `subject`'s directory `dir` holds no key or certificate yet, or, with `force`,
// one of the same kind (node or operator) to replace. A node's identity never passes to
// an operator, nor an operator's to a node, even with `force`.
absl::Status CheckReplaceable(const std::string& dir, const DevPkiSubject& subject, bool force) {
  const std::string cert_path = absl::StrCat(dir, "/cert.pem");
  const std::string key_path = absl::StrCat(dir, "/key.pem");
  if (!std::filesystem::exists(cert_path) && !std::filesystem::exists(key_path)) {
    return absl::OkStatus();
  }
  if (!std::filesystem::exists(cert_path)) {
    return absl::FailedPreconditionError(
        absl::StrCat(key_path, " exists without a certificate; remove ", dir, " by hand to issue ",
                     subject.name, " again"));
  }
  ASSIGN_OR_RETURN(std::string pem, ReadFile(cert_path));
  ASSIGN_OR_RETURN(std::string role, RoleOf(pem, cert_path));
  auto kind = [](const std::string& role) {
    return role.empty() ? std::string("a node") : absl::StrCat("an operator (", role, ")");
  };
  if (role.empty() != subject.role.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " holds the certificate of ", kind(role),
                                                      "; ", subject.name, " cannot become ",
                                                      kind(subject.role), ": choose another name"));
  }
  if (!force) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir, " already holds a key and certificate for ", subject.name,
        "; give --force to replace them (the old ones stop working for new connections "
        "only when the peers get the new certificate)"));
  }
  return absl::OkStatus();
}

absl::Status MakeDirectory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return absl::ErrnoToStatus(error.value(), absl::StrCat("cannot create ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSubjectName(absl::string_view name) {
  bool ok = !name.empty() && name.size() <= 63 && name.front() != '-';
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", name,
                     "' is not a valid name: use 1 to 63 lower-case letters, digits, '_' or "
                     "'-', not starting with '-'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DevPkiSubject> ParseOperatorSpec(absl::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "operator '", spec, "' needs a role: NAME:viewer, NAME:operator or NAME:admin"));
  }
  DevPkiSubject subject{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
  RETURN_IF_ERROR(CheckSubjectName(subject.name));
  for (const char* role : kOperatorRoles) {
    if (subject.role == role) return subject;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "operator ", subject.name, ": role '", subject.role, "' is not viewer, operator or admin"));
}

absl::StatusOr<std::vector<std::string>> CreateDevPki(const DevPkiOptions& options) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("no output directory");
  if (options.validity_days < 1 || options.validity_days > 36500) {
    return absl::InvalidArgumentError("validity must be 1 to 36500 days");
  }
  std::vector<DevPkiSubject> subjects;
  for (const std::string& node : options.nodes) subjects.push_back({node, ""});
  subjects.insert(subjects.end(), options.operators.begin(), options.operators.end());
  if (subjects.empty()) return absl::InvalidArgumentError("no node or operator to certify");
  std::set<std::string> seen;
  for (const DevPkiSubject& subject : subjects) {
    RETURN_IF_ERROR(CheckSubjectName(subject.name));
    if (!seen.insert(subject.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("'", subject.name, "' is named twice"));
    }
  }

  for (const DevPkiSubject& subject : subjects) {
    RETURN_IF_ERROR(
        CheckReplaceable(absl::StrCat(options.out_dir, "/", subject.name), subject, options.force));
  }

  RETURN_IF_ERROR(MakeDirectory(options.out_dir));
  const std::string ca_cert_path = absl::StrCat(options.out_dir, "/ca.pem");
  const std::string ca_key_path = absl::StrCat(options.out_dir, "/ca-key.pem");
  CertificateAuthority ca;
  if (std::filesystem::exists(ca_cert_path) || std::filesystem::exists(ca_key_path)) {
    ASSIGN_OR_RETURN(ca, LoadCa(ca_cert_path, ca_key_path));
  } else {
    ASSIGN_OR_RETURN(ca, NewCa(ca_cert_path, ca_key_path, options.validity_days));
  }

  std::vector<std::string> written;
  for (const DevPkiSubject& subject : subjects) {
    std::string dir = absl::StrCat(options.out_dir, "/", subject.name);
    RETURN_IF_ERROR(MakeDirectory(dir));
    ASSIGN_OR_RETURN(Key key, NewKey());
    ASSIGN_OR_RETURN(Cert cert, IssueCertificate(key.get(), subject, /*is_ca=*/false, ca.cert.get(),
                                                 ca.key.get(), options.validity_days));
    ASSIGN_OR_RETURN(std::string cert_pem, CertPem(cert.get()));
    ASSIGN_OR_RETURN(std::string key_pem, KeyPem(key.get()));
    RETURN_IF_ERROR(WriteFile(absl::StrCat(dir, "/key.pem"), key_pem, 0600));
    RETURN_IF_ERROR(WriteFile(absl::StrCat(dir, "/cert.pem"), cert_pem, 0644));
    RETURN_IF_ERROR(WriteFile(absl::StrCat(dir, "/ca.pem"), ca.pem, 0644));
    written.push_back(dir);
  }
  return written;
}

}  // namespace fedsync
