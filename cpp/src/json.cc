#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "errors.h"

namespace mobilevsr {

Json Json::Bool(bool v) {
  Json j;
  j.type_ = Type::kBool;
  j.bool_ = v;
  return j;
}
Json Json::Number(double v, bool written_as_integer) {
  Json j;
  j.type_ = Type::kNumber;
  j.number_ = v;
  j.written_as_integer_ = written_as_integer;
  return j;
}

bool Json::is_integer() const { return type_ == Type::kNumber && std::floor(number_) == number_; }
Json Json::String(std::string v) {
  Json j;
  j.type_ = Type::kString;
  j.string_ = std::move(v);
  return j;
}
Json Json::MakeArray(Array v) {
  Json j;
  j.type_ = Type::kArray;
  j.array_ = std::move(v);
  return j;
}
Json Json::MakeObject(Object v) {
  Json j;
  j.type_ = Type::kObject;
  j.object_ = std::move(v);
  return j;
}

const Json* Json::find(const std::string& key) const {
  if (type_ != Type::kObject) return nullptr;
  const auto it = object_.find(key);
  return it == object_.end() ? nullptr : &it->second;
}

bool Json::operator==(const Json& o) const {
  if (type_ != o.type_) return false;
  switch (type_) {
    case Type::kNull: return true;
    case Type::kBool: return bool_ == o.bool_;
    case Type::kNumber: return number_ == o.number_;
    case Type::kString: return string_ == o.string_;
    case Type::kArray: return array_ == o.array_;
    case Type::kObject: return object_ == o.object_;
  }
  return false;
}

namespace {

void DumpString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\t': *out += "\\t"; break;
      case '\r': *out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void DumpTo(const Json& j, std::string* out) {
  switch (j.type()) {
    case Json::Type::kNull: *out += "null"; break;
    case Json::Type::kBool: *out += j.as_bool() ? "true" : "false"; break;
    case Json::Type::kNumber: {
      char buf[32];
      if (j.written_as_integer()) {
        std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(j.as_number()));
      } else {
        std::snprintf(buf, sizeof(buf), "%.17g", j.as_number());
        // Keep a decimal point so the value reads back as a non-integer.
        if (std::string(buf).find_first_of(".eEn") == std::string::npos) std::snprintf(buf, sizeof(buf), "%.1f", j.as_number());
      }
      *out += buf;
      break;
    }
    case Json::Type::kString: DumpString(j.as_string(), out); break;
    case Json::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const auto& v : j.as_array()) {
        if (!first) *out += ", ";
        first = false;
        DumpTo(v, out);
      }
      out->push_back(']');
      break;
    }
    case Json::Type::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, v] : j.as_object()) {
        if (!first) *out += ", ";
        first = false;
        DumpString(k, out);
        *out += ": ";
        DumpTo(v, out);
      }
      out->push_back('}');
      break;
    }
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Json ParseDocument() {
    Json value = ParseValue(0);
    SkipSpace();
    if (pos_ != text_.size()) Fail("unexpected trailing characters");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void Fail(const std::string& what) const {
    throw InvalidArgument("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  Json ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) Fail("unexpected end of input");
    const char c = text_[pos_];
    if (c == '{') return ParseObject(depth);
    if (c == '[') return ParseArray(depth);
    if (c == '"') return Json::String(ParseString());
    if (Consume("true")) return Json::Bool(true);
    if (Consume("false")) return Json::Bool(false);
    if (Consume("null")) return Json();
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
    Fail(std::string("unexpected character '") + c + "'");
  }

  Json ParseObject(int depth) {
    ++pos_;
    Json::Object object;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Json::MakeObject(std::move(object));
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') Fail("expected a string key");
      std::string key = ParseString();
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') Fail("expected ':'");
      ++pos_;
      if (object.count(key)) Fail("duplicate key \"" + key + "\"");
      object.emplace(std::move(key), ParseValue(depth + 1));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return Json::MakeObject(std::move(object));
      }
      Fail("expected ',' or '}'");
    }
  }

  Json ParseArray(int depth) {
    ++pos_;
    Json::Array array;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return Json::MakeArray(std::move(array));
    }
    while (true) {
      array.push_back(ParseValue(depth + 1));
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return Json::MakeArray(std::move(array));
      }
      Fail("expected ',' or ']'");
    }
  }

  static void AppendUtf8(unsigned code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  unsigned ParseHex4() {
    if (pos_ + 4 > text_.size()) Fail("truncated \\u escape");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      code <<= 4;
      if (h >= '0' && h <= '9') code |= h - '0';
      else if (h >= 'a' && h <= 'f') code |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') code |= h - 'A' + 10;
      else Fail("bad \\u escape");
    }
    return code;
  }

  std::string ParseString() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) Fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) Fail("control character in string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) Fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          // A surrogate is only valid as a high-low pair; a lone one is no character and has no UTF-8 form.
          unsigned code = ParseHex4();
          if (code >= 0xDC00 && code < 0xE000) Fail("lone low surrogate");
          if (code >= 0xD800 && code < 0xDC00) {
            if (!Consume("\\u")) Fail("lone high surrogate");
            const unsigned low = ParseHex4();
            if (low < 0xDC00 || low >= 0xE000) Fail("bad surrogate pair");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code, &out);
          break;
        }
        default: Fail("bad escape");
      }
    }
  }

  Json ParseNumber() {
    const size_t start = pos_;
    bool integer = true;
    if (text_[pos_] == '-') ++pos_;
    auto is_digit = [&](size_t at) { return at < text_.size() && text_[at] >= '0' && text_[at] <= '9'; };
    auto digits = [&] {
      const size_t from = pos_;
      while (is_digit(pos_)) ++pos_;
      if (pos_ == from) Fail("expected digits");
    };
    if (is_digit(pos_) && text_[pos_] == '0' && is_digit(pos_ + 1)) Fail("leading zero in a number");
    digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integer = false;
      ++pos_;
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      digits();
    }
    const std::string literal(text_.substr(start, pos_ - start));
    const double value = std::strtod(literal.c_str(), nullptr);
    if (!std::isfinite(value)) Fail("number out of range");
    return Json::Number(value, integer);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::string Json::Dump() const {
  std::string out;
  DumpTo(*this, &out);
  return out;
}

namespace {

// Position of the first byte that breaks UTF-8, or npos. JSON text must be UTF-8 (RFC 8259), and UTF-8 has one form
// per character: overlong encodings, encoded surrogates (U+D800..U+DFFF) and code points above U+10FFFF are invalid.
size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return i;
    unsigned code = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < length; ++k) {
      const auto continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xC0) != 0x80) return i;
      code = (code << 6) | (continuation & 0x3F);
    }
    static constexpr unsigned kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || (code >= 0xD800 && code < 0xE000) || code > 0x10FFFF) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace

Json ParseJson(std::string_view text) {
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos)
    throw InvalidArgument("invalid JSON: byte " + std::to_string(bad) + " is not valid UTF-8");
  return Parser(text).ParseDocument();
}

std::string JsonTypeName(const Json& value) {
  switch (value.type()) {
    case Json::Type::kNull: return "null";
    case Json::Type::kBool: return "boolean";
    case Json::Type::kNumber: return value.is_integer() ? "integer" : "number";
    case Json::Type::kString: return "string";
    case Json::Type::kArray: return "array";
    case Json::Type::kObject: return "object";
  }
  return "unknown";
}

}  // namespace mobilevsr
