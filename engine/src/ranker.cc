#include "ranker.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

namespace kbtriage {

Plan Plan::of_term(std::string term, Xapian::termcount wqf) {
  Plan p;
  p.op = Op::kTerm;
  p.term = std::move(term);
  p.wqf = wqf;
  return p;
}

Plan Plan::of(Op op, std::vector<Plan> kids) {
  std::vector<Plan> kept;
  kept.reserve(kids.size());
  for (Plan& k : kids) {
    if (!k.empty()) {
      kept.push_back(std::move(k));
    } else if (op == Op::kAnd) {
      return {};  // all of them, one matching nothing
    }
  }
  if (kept.empty()) return {};
  // As Xapian simplifies: one subquery is itself, except that a synonym of
  // anything but a term stays one virtual term.
  if (kept.size() == 1 && (op != Op::kSynonym || kept[0].op == Op::kTerm)) return std::move(kept[0]);
  Plan p;
  p.op = op;
  p.kids = std::move(kept);
  return p;
}

Plan Plan::and_maybe(Plan required, Plan optional) {
  if (required.empty()) return {};
  if (optional.empty()) return required;
  Plan p;
  p.op = Op::kAndMaybe;
  p.kids.push_back(std::move(required));
  p.kids.push_back(std::move(optional));
  return p;
}

Plan Plan::scaled(Plan sub, double factor) {
  if (factor == 1.0 || sub.empty()) return sub;
  Plan p;
  p.op = Op::kScale;
  p.factor = factor;
  p.kids.push_back(std::move(sub));
  return p;
}

Plan Plan::of_xapian(Xapian::Query q) {
  Plan p;
  p.xapian = std::move(q);
  return p;
}

bool Plan::cacheable() const {
  switch (op) {
    case Op::kXapian:
      return false;
    case Op::kTerm:
      return !term.empty();
    case Op::kScale:
      return factor > 0 && kids[0].cacheable();
    case Op::kSynonym:
      // Weighted as one term from an estimate of how many articles any of
      // its parts match; estimated here for terms and ANDs of terms.
      for (const Plan& k : kids) {
        if (k.op == Op::kTerm) continue;
        if (k.op != Op::kAnd) return false;
        for (const Plan& t : k.kids) {
          if (t.op != Op::kTerm) return false;
        }
      }
      return true;
    default:
      return std::all_of(kids.begin(), kids.end(), [](const Plan& k) { return k.cacheable(); });
  }
}

Xapian::Query Plan::to_xapian() const {
  auto subqueries = [this] {
    std::vector<Xapian::Query> qs;
    qs.reserve(kids.size());
    for (const Plan& k : kids) qs.push_back(k.to_xapian());
    return qs;
  };
  switch (op) {
    case Op::kTerm:
      return Xapian::Query(term, wqf);
    case Op::kOr: {
      auto qs = subqueries();
      return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
    }
    case Op::kAnd: {
      auto qs = subqueries();
      return Xapian::Query(Xapian::Query::OP_AND, qs.begin(), qs.end());
    }
    case Op::kSynonym: {
      auto qs = subqueries();
      return Xapian::Query(Xapian::Query::OP_SYNONYM, qs.begin(), qs.end());
    }
    case Op::kAndMaybe:
      return Xapian::Query(Xapian::Query::OP_AND_MAYBE, kids[0].to_xapian(), kids[1].to_xapian());
    case Op::kScale:
      return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, kids[0].to_xapian(), factor);
    case Op::kXapian:
      break;
  }
  return xapian;
}

std::vector<double> norms_of(const PostingsCache& cache, const Bm25& bm25) {
  // Xapian's BM25Weight::get_sumpart, term by term:
  //   normlen = max(len * len_factor, min_normlen)
  //   denom = k1 * (normlen * b + (1 - b)) + wdf
  // The same operations in the same order, so each term's weight is the
  // same double.
  const double avlen = cache.average_length();
  const double len_factor = avlen != 0 ? 1 / avlen : 0;
  std::span<const uint32_t> lens = cache.doclengths();
  std::vector<double> norms(lens.size());
  for (size_t d = 0; d < lens.size(); ++d) {
    const double normlen = std::max(lens[d] * len_factor, Bm25::kMinNormLen);
    norms[d] = bm25.k1 * (normlen * bm25.b + (1 - bm25.b));
  }
  return norms;
}

namespace {

struct Hit {
  uint32_t did;
  uint32_t wdf;  // inside a synonym: the wdf it adds up
  double w;
};
using List = std::vector<Hit>;

// Per thread, kept from query to query: a document's slot and mark cost
// nothing to reuse, a megabyte to allocate and clear.
struct Scratch {
  std::vector<Hit> sum;
  std::vector<uint64_t> bits;
  size_t filled = 0;
  std::vector<uint32_t> mark;
  uint32_t mark_stamp = 0;
};
thread_local Scratch thread_scratch;

class Runner {
 public:
  Runner(const PostingsCache& cache, const std::vector<double>& norms, const Bm25& bm25)
      : cache_(cache), norms_(norms), bm25_(bm25), n_(static_cast<double>(cache.doccount())),
        max_docid_(cache.max_docid()) {
    const double avlen = cache.average_length();
    len_factor_ = avlen != 0 ? 1 / avlen : 0;
  }

  // The documents `p` matches (all, or those of `within`), by docid.
  List run(const Plan& p, double factor, const List* within) {
    switch (p.op) {
      case Plan::Op::kTerm:
        return term(p, factor, within);
      case Plan::Op::kScale:
        return run(p.kids[0], factor * p.factor, within);
      case Plan::Op::kOr:
        if (!within) return any_of(p, factor);
        {
          std::vector<List> parts;
          parts.reserve(p.kids.size());
          for (const Plan& k : p.kids) parts.push_back(run(k, factor, within));
          return unite(parts);
        }
      case Plan::Op::kAnd: {
        List out = run(p.kids[0], factor, within);
        for (size_t i = 1; i < p.kids.size() && !out.empty(); ++i) {
          List more = run(p.kids[i], factor, &out);
          out = add_where(std::move(out), more, true);
        }
        return out;
      }
      case Plan::Op::kAndMaybe: {
        List out = run(p.kids[0], factor, within);
        if (out.empty()) return out;
        List optional = run(p.kids[1], factor, &out);
        return add_where(std::move(out), optional, false);
      }
      case Plan::Op::kSynonym:
        return synonym(p, factor, within);
      case Plan::Op::kXapian:
        break;
    }
    return {};
  }

  // The `want`-th best of `weights` (at least `want` of them).
  static double nth_best(const std::vector<double>& weights, size_t want) {
    // A heap of the best so far, which most weights fail to enter at the
    // first comparison.
    std::vector<double> best;
    best.reserve(want);
    for (double w : weights) {
      if (best.size() < want) {
        best.push_back(w);
        std::push_heap(best.begin(), best.end(), std::greater<double>());
      } else if (w > best.front()) {
        std::pop_heap(best.begin(), best.end(), std::greater<double>());
        best.back() = w;
        std::push_heap(best.begin(), best.end(), std::greater<double>());
      }
    }
    return best.front();
  }

  // The `want` best of AND_MAYBE(required, optional) (of the documents of
  // `within`, when not null), among the documents returned; `matched` is
  // set to how many the plan matches. The optional part (the words in most
  // articles) is read part by part, the part that can add the most first,
  // and only for the documents still in the race: after each part, those
  // whose weight so far plus the most the parts left can add is below the
  // `want`-th best weight so far are dropped, as they cannot finish in the
  // best `want` (MaxScore, by terms). The weights of those kept are exact.
  List and_maybe_top(const Plan& p, size_t want, const List* within, size_t& matched) {
    List cands = run(p.kids[0], 1.0, within);
    matched = cands.size();
    std::vector<const Plan*> parts;
    if (p.kids[1].op == Plan::Op::kOr) {
      for (const Plan& k : p.kids[1].kids) parts.push_back(&k);
    } else {
      parts.push_back(&p.kids[1]);
    }
    std::vector<std::pair<double, const Plan*>> by_bound;
    for (const Plan* k : parts) {
      // A hair more than the bound, for sums rounded another way.
      by_bound.emplace_back(max_possible(*k) * (1 + 1e-9) + 1e-12, k);
    }
    std::stable_sort(by_bound.begin(), by_bound.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    // What the parts from the i-th on can add at most; 0 after the last
    // (summed from the end, not subtracted, so that it is 0 there exactly).
    std::vector<double> after(by_bound.size() + 1, 0.0);
    for (size_t i = by_bound.size(); i-- > 0;) after[i] = after[i + 1] + by_bound[i].first;
    double remaining = after[0];
    std::vector<double> extra(cands.size(), 0.0), total(cands.size());
    auto prune = [&] {
      if (cands.size() <= want) return;
      for (size_t i = 0; i < cands.size(); ++i) total[i] = cands[i].w + extra[i];
      const double floor = nth_best(total, want);
      size_t kept = 0;
      for (size_t i = 0; i < cands.size(); ++i) {
        if (total[i] + remaining >= floor) {
          cands[kept] = cands[i];
          extra[kept++] = extra[i];
        }
      }
      cands.resize(kept);
      extra.resize(kept);
      total.resize(kept);
    };
    prune();
    for (size_t b = 0; b < by_bound.size(); ++b) {
      remaining = after[b + 1];
      const List got = run(*by_bound[b].second, 1.0, &cands);
      size_t j = 0;
      for (size_t i = 0; i < cands.size() && j < got.size(); ++i) {
        if (cands[i].did == got[j].did) extra[i] += got[j++].w;
      }
      prune();
    }
    for (size_t i = 0; i < cands.size(); ++i) cands[i].w += extra[i];
    return cands;
  }

  // MSet::get_max_possible(): the best weight any document could reach, as
  // Xapian bounds it per shard (from the shard's wdf bounds) before it
  // matches, taken over the shards. Also what a part of a plan can add at
  // most, for the pruning above.
  double max_possible(const Plan& p) {
    double best = 0;
    for (uint32_t s = 0; s < cache_.shards(); ++s) best = std::max(best, max_weight(p, 1.0, s));
    return best;
  }

 private:
  // BM25Weight::init: the term's weight before the wdf and length part.
  double termweight(double termfreq, Xapian::termcount wqf, double factor) const {
    double tw = (n_ - termfreq + 0.5) / (termfreq + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;
    double weight = std::log(tw) * factor;
    const double wqf_double = wqf;
    weight *= (Bm25::kK3 + 1) * wqf_double / (Bm25::kK3 + wqf_double);
    return weight * (bm25_.k1 + 1);
  }

  double sumpart(double tw, uint32_t wdf, uint32_t did) const {
    const double wdf_double = wdf;
    return tw * (wdf_double / (norms_[did] + wdf_double));
  }

  // BM25Weight::get_maxpart.
  double maxpart(double tw, uint32_t wdf_max) const {
    double denom = bm25_.k1;
    if (bm25_.k1 != 0.0 && bm25_.b != 0.0) {
      const double normlen_lb =
          std::max(std::max(wdf_max, cache_.doclength_lower_bound()) * len_factor_, Bm25::kMinNormLen);
      denom *= (normlen_lb * bm25_.b + (1 - bm25_.b));
    }
    const double wdf_double = wdf_max;
    denom += wdf_double;
    return tw * (wdf_double / denom);
  }

  List term(const Plan& p, double factor, const List* within) {
    PostingsCache::Postings post = postings_of(p);
    List out;
    if (post.empty()) return out;
    const double tw = termweight(static_cast<double>(post.docids.size()), p.wqf, factor);
    auto emit = [&](size_t i) {
      const uint32_t did = post.docids[i];
      if (did > max_docid_) return;  // a damaged file: never read past the arrays
      out.push_back({did, post.wdfs[i], sumpart(tw, post.wdfs[i], did)});
    };
    if (!within) {
      out.reserve(post.docids.size());
      for (size_t i = 0; i < post.docids.size(); ++i) emit(i);
      return out;
    }
    if (within->size() * 16 > post.docids.size()) {
      // Only the documents of `within`, most of the list: read it through,
      // checking each document against a mark per document.
      const std::vector<uint32_t>& mark = marks_of(*within);
      for (size_t i = 0; i < post.docids.size(); ++i) {
        const uint32_t did = post.docids[i];
        if (did <= max_docid_ && mark[did] == scratch_.mark_stamp) emit(i);
      }
      return out;
    }
    // A few documents of a long list: step through it by binary search
    // from where the last one was found.
    const uint32_t* first = post.docids.data();
    const uint32_t* at = first;
    const uint32_t* end = first + post.docids.size();
    for (const Hit& h : *within) {
      at = std::lower_bound(at, end, h.did);
      if (at == end) break;
      if (*at == h.did) emit(static_cast<size_t>(at - first));
    }
    return out;
  }

  // A synonym's part as Xapian estimates it in one shard: `local`, the
  // shard's own estimate of its articles (what orders the parts), and
  // `global`, the estimate from the whole store's frequencies (what weighs
  // them). A term's are its frequencies; an AND's, its terms' assumed
  // independent, the rarest in the shard first (MultiAndPostList), each
  // rounded to a count.
  struct Estimate {
    Xapian::doccount local, global;
  };
  Estimate estimate(const Plan& p, uint32_t shard) {
    if (p.op == Plan::Op::kTerm) {
      PostingsCache::Postings post = postings_of(p);
      if (post.empty()) return {0, 0};
      return {post.termfreq(shard), static_cast<Xapian::doccount>(post.docids.size())};
    }
    std::vector<Estimate> kids;
    for (const Plan& k : p.kids) kids.push_back(estimate(k, shard));
    std::vector<Estimate> sorted(kids.size());
    std::partial_sort_copy(kids.begin(), kids.end(), sorted.begin(), sorted.end(),
                           [](const Estimate& a, const Estimate& b) { return a.local < b.local; });
    const double shard_docs = static_cast<double>(cache_.doccount(shard));
    double local = sorted[0].local, global = sorted[0].global;
    for (size_t i = 1; i < sorted.size(); ++i) {
      local = shard_docs > 0 ? (local * sorted[i].local) / shard_docs : 0;
      global = (global * sorted[i].global) / n_;
    }
    return {static_cast<Xapian::doccount>(local + 0.5), static_cast<Xapian::doccount>(global + 0.5)};
  }

  // Xapian's frequency for a synonym in one shard: its parts ORed pairwise,
  // the two the shard counts fewest first (OrContext::postlist's heap),
  // each OR estimated as P(l) + P(r) - P(l)P(r) and rounded; the order
  // comes from the shard's counts and the value from the store's.
  double synonym_termfreq(const Plan& p, uint32_t shard) {
    // Asked for each shard by the weights, the bounds and the most
    // possible: worked out once per synonym and shard.
    std::vector<double>& known = synonym_tf_[&p];
    if (known.empty()) {
      known.resize(cache_.shards());
      for (uint32_t s = 0; s < cache_.shards(); ++s) known[s] = work_out_synonym_termfreq(p, s);
    }
    return known[shard];
  }
  double work_out_synonym_termfreq(const Plan& p, uint32_t shard) {
    std::vector<Estimate> heap;
    for (const Plan& k : p.kids) heap.push_back(estimate(k, shard));
    auto more = [](const Estimate& a, const Estimate& b) { return a.local > b.local; };
    std::make_heap(heap.begin(), heap.end(), more);
    const double shard_docs = static_cast<double>(cache_.doccount(shard));
    auto either = [](double l, double r, double n) { return static_cast<Xapian::doccount>(l + r - (l * r / n) + 0.5); };
    while (heap.size() > 1) {
      const Estimate r = heap.front();
      std::pop_heap(heap.begin(), heap.end(), more);
      heap.pop_back();
      const Estimate l = heap.front();
      std::pop_heap(heap.begin(), heap.end(), more);
      heap.back() = {shard_docs > 0 ? either(l.local, r.local, shard_docs) : 0, either(l.global, r.global, n_)};
      std::push_heap(heap.begin(), heap.end(), more);
    }
    return heap.empty() ? 0 : static_cast<double>(heap[0].global);
  }

  List synonym(const Plan& p, double factor, const List* within) {
    std::vector<List> parts;
    for (const Plan& k : p.kids) parts.push_back(run(k, 1.0, within));
    List out = unite(parts);
    if (out.empty()) return out;
    // Each shard weighs the synonym by its own estimate.
    const uint32_t shards = cache_.shards();
    std::vector<double> tw(shards);
    for (uint32_t s = 0; s < shards; ++s) tw[s] = termweight(synonym_termfreq(p, s), 1, factor);
    for (Hit& h : out) {
      // SynonymPostList caps the wdf at the document's length.
      h.wdf = std::min(h.wdf, cache_.doclength(h.did));
      h.w = sumpart(tw[(h.did - 1) % shards], h.wdf, h.did);
    }
    return out;
  }

  double max_weight(const Plan& p, double factor, uint32_t shard) {
    switch (p.op) {
      case Plan::Op::kTerm: {
        PostingsCache::Postings post = postings_of(p);
        if (post.empty()) return 0;
        const double tw = termweight(static_cast<double>(post.docids.size()), p.wqf, factor);
        return maxpart(tw, post.wdf_upper_bound(shard));
      }
      case Plan::Op::kScale:
        return max_weight(p.kids[0], factor * p.factor, shard);
      case Plan::Op::kSynonym: {
        bool any = false;
        for (const Plan& k : p.kids) any = any || in_shard(k, shard);
        if (!any) return 0;
        return maxpart(termweight(synonym_termfreq(p, shard), 1, factor), cache_.doclength_upper_bound());
      }
      case Plan::Op::kXapian:
        return 0;
      default: {
        double sum = 0;
        for (const Plan& k : p.kids) sum += max_weight(k, factor, shard);
        return sum;
      }
    }
  }

  // A term's postings, looked up once per plan node: its weight, its bound
  // and a synonym's estimates each ask, and a lookup is a binary search over
  // half a million names.
  PostingsCache::Postings postings_of(const Plan& term) {
    auto [it, fresh] = postings_.try_emplace(&term);
    if (fresh) it->second = cache_.postings(term.term);
    return it->second;
  }

  // Whether the shard has articles `p` could match (Xapian leaves out a
  // synonym no part of which can).
  bool in_shard(const Plan& p, uint32_t shard) {
    if (p.op == Plan::Op::kTerm) {
      PostingsCache::Postings post = postings_of(p);
      return !post.empty() && post.termfreq(shard) > 0;
    }
    return std::all_of(p.kids.begin(), p.kids.end(), [&](const Plan& k) { return in_shard(k, shard); });
  }

  // Documents of any of the lists; weights and wdfs summed in the lists'
  // order, so each document's sum is made the same way. Summed into a slot
  // per document, not merged list by list: an OR of twenty terms would copy
  // its growing union twenty times.
  List unite(std::vector<List>& lists) {
    size_t nonempty = 0;
    List* only = nullptr;
    for (List& l : lists) {
      if (!l.empty()) ++nonempty, only = &l;
    }
    if (nonempty <= 1) return only ? std::move(*only) : List();
    begin_sum();
    for (const List& l : lists) {
      for (const Hit& h : l) add(h);
    }
    return summed();
  }

  // An OR over all documents: its terms' postings summed straight into the
  // slots, without a list per term. Its other parts (synonyms, ANDs) are
  // run first, as the slots are not theirs to share, and summed in turn.
  List any_of(const Plan& p, double factor) {
    std::vector<List> parts(p.kids.size());
    std::vector<std::pair<const Plan*, double>> leaves(p.kids.size(), {nullptr, 0.0});
    for (size_t i = 0; i < p.kids.size(); ++i) {
      const Plan* k = &p.kids[i];
      double f = factor;
      while (k->op == Plan::Op::kScale) {
        f *= k->factor;
        k = &k->kids[0];
      }
      if (k->op == Plan::Op::kTerm) {
        leaves[i] = {k, f};
      } else {
        parts[i] = run(p.kids[i], factor, nullptr);
      }
    }
    begin_sum();
    for (size_t i = 0; i < p.kids.size(); ++i) {
      if (!leaves[i].first) {
        for (const Hit& h : parts[i]) add(h);
        continue;
      }
      PostingsCache::Postings post = postings_of(*leaves[i].first);
      if (post.empty()) continue;
      const double tw = termweight(static_cast<double>(post.docids.size()), leaves[i].first->wqf, leaves[i].second);
      for (size_t j = 0; j < post.docids.size(); ++j) {
        const uint32_t did = post.docids[j];
        if (did <= max_docid_) add({did, post.wdfs[j], sumpart(tw, post.wdfs[j], did)});
      }
    }
    return summed();
  }

  // Sums go into a slot per document; a bit per document says which
  // slots this sum has filled, and reading the bits in order gives them by
  // docid. The slots are never cleared: a slot's first sum overwrites it.
  void begin_sum() {
    const size_t docs = cache_.max_docid() + size_t{1};
    if (scratch_.sum.size() != docs) scratch_.sum.assign(docs, Hit{0, 0, 0.0});
    scratch_.bits.assign((docs + 63) / 64, 0);
    scratch_.filled = 0;
  }

  void add(const Hit& h) {
    uint64_t& word = scratch_.bits[h.did >> 6];
    const uint64_t bit = uint64_t{1} << (h.did & 63);
    Hit& slot = scratch_.sum[h.did];
    if (!(word & bit)) {
      word |= bit;
      slot = h;
      ++scratch_.filled;
    } else {
      slot.wdf += h.wdf;
      slot.w += h.w;
    }
  }

  // The documents summed since begin_sum(), by docid.
  List summed() {
    List out;
    out.reserve(scratch_.filled);
    for (size_t w = 0; w < scratch_.bits.size(); ++w) {
      for (uint64_t word = scratch_.bits[w]; word; word &= word - 1) {
        out.push_back(scratch_.sum[w * 64 + static_cast<size_t>(__builtin_ctzll(word))]);
      }
    }
    return out;
  }

  // A mark per document of `within`: marks_of(l)[did] == scratch_.mark_stamp.
  // Made afresh each time: it costs a write per document of `within`, a
  // fraction of reading the long list it serves.
  const std::vector<uint32_t>& marks_of(const List& within) {
    std::vector<uint32_t>& mark = scratch_.mark;
    if (mark.size() != cache_.max_docid() + size_t{1}) mark.assign(cache_.max_docid() + size_t{1}, 0);
    if (++scratch_.mark_stamp == 0) {  // wrapped: forget every old mark
      std::fill(mark.begin(), mark.end(), 0);
      scratch_.mark_stamp = 1;
    }
    for (const Hit& h : within) mark[h.did] = scratch_.mark_stamp;
    return mark;
  }

  // `a`'s documents, with `b`'s weight added where `b` has them too; with
  // `only_both`, `a`'s documents that `b` lacks are dropped.
  static List add_where(List a, const List& b, bool only_both) {
    size_t j = 0, kept = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      while (j < b.size() && b[j].did < a[i].did) ++j;
      const bool both = j < b.size() && b[j].did == a[i].did;
      if (both) {
        a[i].w += b[j].w;
        a[i].wdf += b[j].wdf;
      }
      if (both || !only_both) a[kept++] = a[i];
    }
    a.resize(kept);
    return a;
  }

  Scratch& scratch_ = thread_scratch;
  const PostingsCache& cache_;
  const std::vector<double>& norms_;
  Bm25 bm25_;
  double n_;
  uint32_t max_docid_;
  std::unordered_map<const Plan*, std::vector<double>> synonym_tf_;
  std::unordered_map<const Plan*, PostingsCache::Postings> postings_;
  double len_factor_ = 0;
};

}  // namespace

Ranked rank_cached(const PostingsCache& cache, const std::vector<double>& norms, const Bm25& bm25,
                   const Plan& plan, size_t want, const std::vector<uint32_t>* only) {
  Runner runner(cache, norms, bm25);
  List allowed;
  if (only) {
    allowed.reserve(only->size());
    for (uint32_t did : *only) {
      if (did <= cache.max_docid()) allowed.push_back({did, 0, 0.0});
    }
  }
  const List* within = only ? &allowed : nullptr;
  size_t matched = 0;
  List all;
  if (plan.op == Plan::Op::kAndMaybe && want > 0) {
    all = runner.and_maybe_top(plan, want, within, matched);
  } else {
    all = runner.run(plan, 1.0, within);
    matched = all.size();
  }
  Ranked r;
  r.estimated = static_cast<Xapian::doccount>(matched);
  r.max_possible = runner.max_possible(plan);
  auto better = [](const Hit& a, const Hit& b) { return a.w != b.w ? a.w > b.w : a.did < b.did; };
  const size_t n = std::min(want, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<long>(n), all.end(), better);
  r.hits.reserve(n);
  for (size_t i = 0; i < n; ++i) r.hits.emplace_back(all[i].did, all[i].w);
  return r;
}

Ranked rank_xapian(Xapian::Enquire& enquire, const Plan& plan, const Xapian::Query& filter, size_t want,
                   Xapian::doccount check_at_least) {
  enquire.set_query(filter.empty() ? plan.to_xapian() : Xapian::Query(Xapian::Query::OP_FILTER, plan.to_xapian(), filter));
  Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(want), check_at_least);
  Ranked r;
  r.estimated = mset.get_matches_estimated();
  r.max_possible = mset.get_max_possible();
  r.hits.reserve(mset.size());
  for (auto it = mset.begin(); it != mset.end(); ++it) r.hits.emplace_back(*it, it.get_weight());
  return r;
}

}  // namespace kbtriage
