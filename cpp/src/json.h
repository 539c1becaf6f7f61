// A small JSON reader/writer: enough for model contracts and the schema that defines them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mobilevsr {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json>;

  Json() = default;
  static Json Bool(bool v);
  // `written_as_integer` only picks how Dump() writes the number ("4" or "4.0"); its JSON type is its value's.
  static Json Number(double v, bool written_as_integer);
  static Json String(std::string v);
  static Json MakeArray(Array v);
  static Json MakeObject(Object v);

  Type type() const { return type_; }
  // JSON Schema's "integer": a number whose fractional part is zero, however it was written (2020-12: 4.0 is one).
  bool is_integer() const;
  bool written_as_integer() const { return type_ == Type::kNumber && written_as_integer_; }
  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const Array& as_array() const { return array_; }
  const Object& as_object() const { return object_; }
  // Member lookup on an object; nullptr when absent or not an object.
  const Json* find(const std::string& key) const;

  bool operator==(const Json& other) const;
  std::string Dump() const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  bool written_as_integer_ = false;
  double number_ = 0.0;
  std::string string_;
  Array array_;
  Object object_;
};

// Parses a JSON document strictly (RFC 8259): UTF-8 without overlong forms or encoded surrogates, no leading zeros,
// no lone surrogate escapes, no duplicate keys, finite numbers. Throws InvalidArgument with the byte offset.
Json ParseJson(std::string_view text);

// Name of a JSON type as JSON Schema spells it ("integer" for integral numbers).
std::string JsonTypeName(const Json& value);

}  // namespace mobilevsr
