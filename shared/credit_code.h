// Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters,
//   A B RRRRRR OOOOOOOOO C
// the registration authority (1 digit or letter: 9 = market regulation, 5 = civil
// affairs, ...), the kind of organisation under it, the 6-digit administrative region
// code (GB/T 2260), the 9-character organisation code (GB 11714), and a check character.
// Every character comes from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z, which
// read as digits or are not used); the check character is 31 - (sum of value x weight
// mod 31), 31 meaning 0.
//
// A credit code identifies an enterprise, not a person, but the same discipline as for
// resident IDs holds: no message produced here quotes the code. Stateless and
// thread-safe.
#ifndef FEDSYNC_SHARED_CREDIT_CODE_H_
#define FEDSYNC_SHARED_CREDIT_CODE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fedsync {

// The check character for the first 17 characters of a code. Returns '\0' when
// `first17` is not exactly 17 characters of the code's alphabet.
char CreditCodeCheckChar(absl::string_view first17);

// OK when `code` is a well-formed credit code: 18 characters of the alphabet (upper
// case; full-width or lower-case characters are refused, not folded, so that one
// enterprise never has two keys), a 6-digit region code and the right check character.
// Otherwise kInvalidArgument with a bare reason for the caller to prefix with the field.
//
// The embedded GB 11714 organisation code has a check digit of its own; it is not
// judged here: GB 32100 defines the code's validity by its own check character, and a
// registry that refuses a real enterprise's code is worse than one that accepts a
// mistyped organisation code that still passes the outer check.
absl::Status ValidateCreditCode(absl::string_view code);

// `first17` plus its check character; empty when `first17` is not 17 characters of the
// alphabet.
std::string MakeCreditCode(absl::string_view first17);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_CREDIT_CODE_H_
