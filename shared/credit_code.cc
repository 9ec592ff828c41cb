#include "shared/credit_code.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace fedsync {
namespace {

constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr size_t kLength = 18;

// The value of `c` in the alphabet (0-30), or -1.
int ValueOf(char c) {
  const size_t at = kAlphabet.find(c);
  return at == absl::string_view::npos ? -1 : static_cast<int>(at);
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

char CreditCodeCheckChar(absl::string_view first17) {
  if (first17.size() != kWeights.size()) return '\0';
  int sum = 0;
  for (size_t i = 0; i < kWeights.size(); ++i) {
    const int value = ValueOf(first17[i]);
    if (value < 0) return '\0';
    sum += value * kWeights[i];
  }
  const int check = 31 - sum % 31;
  return kAlphabet[check == 31 ? 0 : check];
}

absl::Status ValidateCreditCode(absl::string_view code) {
  for (char c : code) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Usually full-width digits or letters typed with a Chinese input method.
      return absl::InvalidArgumentError(
          "contains non-ASCII characters (full-width digits or letters?)");
    }
  }
  if (code.size() != kLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be 18 characters, not ", code.size()));
  }
  for (char c : code) {
    if (c >= 'a' && c <= 'z') {
      return absl::InvalidArgumentError("contains lower-case letters; write them in upper case");
    }
    if (ValueOf(c) < 0) {
      return absl::InvalidArgumentError(
          "contains a character outside 0-9 and A-Y without I, O, S, V, Z");
    }
  }
  for (size_t i = 2; i < 8; ++i) {
    if (!IsAsciiDigit(code[i])) {
      return absl::InvalidArgumentError("characters 3-8 must be the 6-digit region code");
    }
  }
  if (CreditCodeCheckChar(code.substr(0, 17)) != code[17]) {
    return absl::InvalidArgumentError("check character mismatch");
  }
  return absl::OkStatus();
}

std::string MakeCreditCode(absl::string_view first17) {
  const char check = CreditCodeCheckChar(first17);
  if (check == '\0') return "";
  return absl::StrCat(first17, std::string(1, check));
}

}  // namespace fedsync
