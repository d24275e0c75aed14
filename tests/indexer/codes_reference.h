// The specification add_codes() is checked against: see codes_reference.cc.
#pragma once

#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage::test {

std::vector<ErrorCode> extract_codes_reference(std::string_view text);

}  // namespace kbtriage::test
