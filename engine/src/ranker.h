// The searcher's queries as a small tree (Plan), run either by Xapian or,
// when the store's search cache (postings.h) matches the snapshot, by
// rank_cached(): the same BM25 sums over flat arrays. Each term's weight is
// Xapian's to the bit (the same operations on the same numbers, a
// synonym's frequency estimated per shard as each shard does); a sum of
// several may differ in its last bit, as Xapian adds them in its own tree's
// order. So the same articles come in the same order, unless two weigh the
// same to within a rounding: tests/engine/ranker_test.cc holds rank_cached
// to Xapian's weights within 1e-12 for every shape of plan, and the
// archive test holds the 525 development queries to the same results.
// Not part of the public API.
#pragma once

#include <xapian.h>

#include <string>
#include <utility>
#include <vector>

#include "postings.h"

namespace kbtriage {

struct Plan {
  enum class Op : unsigned char {
    kTerm,      // term, wqf
    kOr,        // any of kids, weights summed
    kAnd,       // all of kids, weights summed
    kAndMaybe,  // kids[0], plus kids[1]'s weight where it matches too
    kSynonym,   // any of kids, weighted as one term
    kScale,     // kids[0], its weight times factor
    kXapian,    // `xapian`: a part only Xapian runs (phrase, wildcard, value range, filter)
  };
  Op op = Op::kXapian;
  std::string term;
  Xapian::termcount wqf = 1;
  double factor = 1.0;
  std::vector<Plan> kids;
  Xapian::Query xapian;  // empty: matches nothing

  Plan() = default;
  static Plan of_term(std::string term, Xapian::termcount wqf = 1);
  // OR, AND, SYNONYM over `kids`, leaving out those that match nothing; one
  // kid is that kid (as Xapian simplifies).
  static Plan of(Op op, std::vector<Plan> kids);
  static Plan and_maybe(Plan required, Plan optional);
  static Plan scaled(Plan p, double factor);
  static Plan of_xapian(Xapian::Query q);

  bool empty() const { return op == Op::kXapian && xapian.empty(); }
  // Whether rank_cached() can run it: no part only Xapian runs.
  bool cacheable() const;
  Xapian::Query to_xapian() const;
};

// What a ranking gives the searcher: the best documents in order, as
// Xapian's MSet would list them.
struct Ranked {
  std::vector<std::pair<Xapian::docid, double>> hits;  // best first; equal weights by docid
  Xapian::doccount estimated = 0;                     // documents matched (exact from the cache)
  double max_possible = 0;                            // as MSet::get_max_possible()
};

struct Bm25 {
  double k1 = 1.2, b = 0.5;
  // Xapian::BM25Weight(k1, 0, 1, b, 0.5): no query-length term (k2 = 0),
  // wqf counted (k3 = 1), lengths below half the average taken as half.
  static constexpr double kK3 = 1.0, kMinNormLen = 0.5;
};

// Runs `plan` (cacheable()) over `cache`: the `want` best documents, of
// `only` (sorted docids) when not null. `norms` is norms_of(cache, bm25),
// computed once per cache.
Ranked rank_cached(const PostingsCache& cache, const std::vector<double>& norms, const Bm25& bm25,
                   const Plan& plan, size_t want, const std::vector<uint32_t>* only = nullptr);

// Per document, BM25's length part k1 * (normlen * b + (1 - b)).
std::vector<double> norms_of(const PostingsCache& cache, const Bm25& bm25);

// Runs `plan` through Xapian's matcher, filtered by `filter` unless it is
// empty.
Ranked rank_xapian(Xapian::Enquire& enquire, const Plan& plan, const Xapian::Query& filter, size_t want,
                   Xapian::doccount check_at_least = 0);

}  // namespace kbtriage
