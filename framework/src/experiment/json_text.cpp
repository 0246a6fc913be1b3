// JSON text -> a document, refusing what JSON parsers accept but an experiment must not hold:
// nesting deeper than kMaxJsonDepth (a hostile file would otherwise exhaust the stack of whatever
// walks it recursively later: printing, copying), a key given twice in one object (JSON keeps
// one of the two silently), and numbers beyond the range of a double. Each refusal names the
// text's line and column, as a malformed file's does. The parser's SAX events build the document
// here, so that each event knows how far the text has been read.
#include <cstddef>
#include <iterator>
#include <limits>
#include <optional>
#include <unordered_map>

#include "experiment/loader.hpp"
#include "experiment/loader_internal.hpp"
#include "experiment/units.hpp"

namespace ganglion::loading {

namespace {

// An iterator over the text that records, in *head, how far the parser has read it.
struct TrackedChar {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  const char *at = nullptr;
  const char **head = nullptr;

  reference operator*() const { return *at; }
  TrackedChar &operator++() {
    *head = ++at;
    return *this;
  }
  TrackedChar operator++(int) {
    TrackedChar before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackedChar &o) const { return at == o.at; }
  bool operator!=(const TrackedChar &o) const { return at != o.at; }
};

// Line and column (1-based, in bytes) of offset `at` of `text`.
std::pair<size_t, size_t> line_column(const std::string &text, size_t at) {
  at = std::min(at, text.size());
  size_t line = 1, line_start = 0;
  for (size_t k = 0; k < at; ++k)
    if (text[k] == '\n') {
      ++line;
      line_start = k + 1;
    }
  return {line, at - line_start + 1};
}

// The offset of the opening quote of the string token that ends just before `end` (its closing
// quote at end - 1): the nearest quote before it that no odd run of backslashes escapes.
size_t string_start(const std::string &text, size_t end) {
  for (size_t k = end >= 2 ? end - 2 : 0; k > 0; --k) {
    if (text[k] != '"') continue;
    size_t slashes = 0;
    while (k > slashes && text[k - 1 - slashes] == '\\')
      ++slashes;
    if (slashes % 2 == 0) return k;
  }
  return 0;
}

// SAX events -> a J document (what nlohmann's own DOM parser does), with the refusals above.
// `origin` starts every message ("exp.json", "--set a.b=..."): origin:line:column: ...
template <class J> class Builder {
public:
  using string_t = typename J::string_t;

  // lines: messages give the line and column (a file), else only `origin` (a --set value).
  Builder(const std::string &text, const std::string &origin, bool lines, const char *const &head)
      : text_(text), origin_(origin), lines_(lines), head_(head) {}

  J root;

  bool null() { return add(J(nullptr)); }
  bool boolean(bool v) { return add(J(v)); }
  bool number_integer(typename J::number_integer_t v) { return add(J(v)); }
  bool number_unsigned(typename J::number_unsigned_t v) { return add(J(v)); }
  bool number_float(typename J::number_float_t v, const string_t &) { return add(J(v)); }
  bool string(string_t &v) { return add(J(std::move(v))); }
  bool binary(typename J::binary_t &v) { return add(J::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(J::object()); }
  bool start_array(std::size_t) { return open(J::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t &k) {
    Frame &f = frames_.back();
    const size_t at = string_start(text_, offset());
    const auto [first, fresh] = f.keys.emplace(k, at);
    if (!fresh) duplicate(k, first->second, at);
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string &token,
                   const nlohmann::detail::exception &e) {
    constexpr int number_overflow = 406; // nlohmann's out_of_range.406
    if (e.id == number_overflow)
      fail(position >= token.size() ? position - token.size() : 0,
           clipped(token) + " is beyond the range of a double (" +
               format_number(-std::numeric_limits<double>::max()) + " to " +
               format_number(std::numeric_limits<double>::max()) + "); write a smaller number");
    // e.byte counts the characters read, the offending one included (1-based).
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    auto start = what.find("parse error");
    auto colon = start == std::string::npos ? std::string::npos : what.find(": ", start);
    if (colon != std::string::npos) what = what.substr(colon + 2);
    const auto [line, column] = line_column(text_, position > 0 ? position - 1 : 0);
    throw MalformedJson(origin_ + ":" + std::to_string(line) + ":" + std::to_string(column) +
                        ": malformed JSON: " + what);
  }

private:
  // An open object or list: where it is, and for an object the keys seen (with their offsets)
  // and the key whose value comes next.
  struct Frame {
    J *value = nullptr;
    std::unordered_map<string_t, size_t> keys;
    string_t key;
  };

  const std::string &text_;
  const std::string &origin_;
  bool lines_;
  const char *const &head_;
  std::vector<Frame> frames_;

  size_t offset() const { return size_t(head_ - text_.data()); }

  [[noreturn]] void fail(size_t at, const std::string &message) const {
    if (!lines_) throw ConfigError(origin_ + ": " + message);
    const auto [line, column] = line_column(text_, at);
    throw ConfigError(origin_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                      message);
  }

  // The JSON pointer of the innermost open object or list ("" at the root).
  std::string pointer() const {
    std::string p;
    for (size_t k = 0; k + 1 < frames_.size(); ++k)
      p = frames_[k].value->is_array() ? child(p, frames_[k].value->size() - 1)
                                       : child(p, frames_[k].key);
    return p;
  }

  [[noreturn]] void duplicate(const string_t &k, size_t first, size_t again) const {
    const auto [line, column] = line_column(text_, first);
    const std::string p = pointer();
    const std::string place =
        lines_ ? "line " + std::to_string(line) + ", column " + std::to_string(column)
               : "character " + std::to_string(column);
    fail(again, (p.empty() ? std::string() : clipped(p) + ": ") + "the key '" + clipped(k) +
                    "' is given twice in one object (first at " + place +
                    "); JSON would keep only the last: remove one, or rename it");
  }

  // Where the next value goes: the root, the end of the open list, or the open object's key.
  J *slot() {
    if (frames_.empty()) return &root;
    Frame &f = frames_.back();
    if (f.value->is_array()) {
      f.value->push_back(J());
      return &f.value->back();
    }
    return &(*f.value)[f.key];
  }

  bool add(J &&v) {
    *slot() = std::move(v);
    return true;
  }

  bool open(J &&container) {
    if (frames_.size() >= kMaxJsonDepth)
      fail(offset() - 1, "lists and objects nested more than " + std::to_string(kMaxJsonDepth) +
                             " deep" + (frames_.empty() ? "" : " (in " + clipped(pointer()) + ")") +
                             "; an experiment needs a few levels: check the brackets");
    J *at = slot();
    *at = std::move(container);
    frames_.push_back(Frame{at, {}, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }
};

// Parses `text` with the builder; throws ConfigError "origin:line:column: ..." (MalformedJson
// for text that is not JSON).
template <class J> J parse_checked(const std::string &text, const std::string &origin, bool lines) {
  const char *head = text.data();
  Builder<J> builder(text, origin, lines, head);
  const TrackedChar first{text.data(), &head}, last{text.data() + text.size(), &head};
  J::sax_parse(first, last, &builder);
  return std::move(builder.root);
}

} // namespace

Json parse_document(const std::string &text, const std::string &origin) {
  return parse_checked<Json>(text, origin, true);
}

template <class J> std::optional<J> parse_value(const std::string &text, const std::string &place) {
  try {
    return parse_checked<J>(text, place, false);
  } catch (const MalformedJson &) {
    return std::nullopt; // not JSON at all: a plain word; JSON that breaks a rule is an error
  }
}

template std::optional<nlohmann::json> parse_value(const std::string &, const std::string &);
template std::optional<Json> parse_value(const std::string &, const std::string &);

} // namespace ganglion::loading
