#include "shared/privacy/rational.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace fedsync {
namespace privacy {
namespace {

bool IsInteger(absl::string_view text, bool allow_sign) {
  if (allow_sign && !text.empty() && text[0] == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status Invalid(absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a rational (expected a/b, a decimal or an integer)"));
}

}  // namespace

absl::StatusOr<mpq_class> ParseRational(absl::string_view text) {
  const size_t slash = text.find('/');
  if (slash != absl::string_view::npos) {
    const absl::string_view numerator = text.substr(0, slash);
    const absl::string_view denominator = text.substr(slash + 1);
    if (!IsInteger(numerator, true) || !IsInteger(denominator, false)) return Invalid(text);
    mpz_class den(std::string(denominator), 10);
    if (den == 0) return Invalid(text);
    mpq_class value(mpz_class(std::string(numerator), 10), den);
    value.canonicalize();
    return value;
  }
  const size_t point = text.find('.');
  if (point == absl::string_view::npos) {
    if (!IsInteger(text, true)) return Invalid(text);
    return mpq_class(mpz_class(std::string(text), 10));
  }
  const absl::string_view whole = text.substr(0, point);
  const absl::string_view fraction = text.substr(point + 1);
  if (!IsInteger(whole, true) || !IsInteger(fraction, false)) return Invalid(text);
  // "-0.5" is -(0 + 5/10): the sign belongs to the whole number.
  const bool negative = whole[0] == '-';
  mpz_class scale;
  mpz_ui_pow_ui(scale.get_mpz_t(), 10, fraction.size());
  mpz_class magnitude(std::string(negative ? whole.substr(1) : whole), 10);
  mpz_class numerator = magnitude * scale + mpz_class(std::string(fraction), 10);
  mpq_class value(negative ? mpz_class(-numerator) : numerator, scale);
  value.canonicalize();
  return value;
}

std::string FormatRational(const mpq_class& value) { return value.get_str(10); }

}  // namespace privacy
}  // namespace fedsync
