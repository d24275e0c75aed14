// Building the Xapian document of an article (internal). One DocBuilder per
// thread: it holds a TermGenerator, which is not shareable.
#pragma once

#include <xapian.h>

#include <string>
#include <string_view>
#include <vector>

#include "kbtriage/article.h"

namespace kbtriage {

class DocBuilder {
 public:
  DocBuilder();
  // The document for `a`. Words worth a spelling suggestion (title, symptoms,
  // messages; lower case, unstemmed) are appended to `spelling`.
  Xapian::Document build(const Article& a, std::string_view content_hash,
                         std::vector<std::string>& spelling);

 private:
  Xapian::TermGenerator tg_;
};

// "Q" + id: the unique term of an article's document.
std::string id_term(std::string_view id);

// Lower-case boolean term for a value that may hold spaces or capitals.
std::string boolean_term(std::string_view prefix, std::string_view value);

}  // namespace kbtriage
