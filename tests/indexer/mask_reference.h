// The specification mask_variables() is checked against: see mask_reference.cc.
#pragma once

#include <string>
#include <string_view>

namespace kbtriage::test {

std::string mask_variables_reference(std::string_view text);

}  // namespace kbtriage::test
