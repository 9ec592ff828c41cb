// libFuzzer harness: the identifier validators (shared/resident_id.h, credit_code.h) on
// arbitrary text. Neither may crash, and what they accept must be self-consistent: a
// valid resident ID has a birth date and its own check character; a valid credit code
// has its own check character.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "shared/credit_code.h"
#include "shared/resident_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::CivilDay today(2026, 11, 30);

  if (fedsync::ValidateResidentId(text, today).ok()) {
    if (fedsync::ResidentIdBirthDate(text).empty()) std::abort();
    if (fedsync::ResidentIdCheckChar(text.substr(0, 17)) != text[17]) std::abort();
  }
  (void)fedsync::ValidateResidentId(text, "2026-11-30");
  (void)fedsync::ResidentIdBirthDate(text);
  (void)fedsync::ResidentIdIsMale(text);

  if (fedsync::ValidateCreditCode(text).ok()) {
    if (fedsync::CreditCodeCheckChar(text.substr(0, 17)) != text[17]) std::abort();
  }
  if (text.size() == 17) {
    (void)fedsync::ResidentIdCheckChar(text);
    (void)fedsync::CreditCodeCheckChar(text);
    (void)fedsync::MakeCreditCode(text);
  }
  return 0;
}
