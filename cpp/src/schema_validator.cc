#include "schema_validator.h"

#include "errors.h"

namespace mobilevsr {
namespace {

class Validator {
 public:
  explicit Validator(const Json& root) : root_(root) {}

  void Check(const Json& value, const Json& schema, const std::string& path) const {
    if (const Json* ref = schema.find("$ref")) {
      Check(value, Resolve(ref->as_string()), path);
      return;
    }
    if (const Json* type = schema.find("type")) CheckType(value, *type, path);
    if (const Json* allowed = schema.find("enum")) {
      bool found = false;
      for (const auto& option : allowed->as_array()) found = found || option == value;
      if (!found) Fail(path, "value " + value.Dump() + " is not one of " + allowed->Dump());
    }
    if (value.type() == Json::Type::kNumber) {
      if (const Json* min = schema.find("minimum"); min && value.as_number() < min->as_number())
        Fail(path, value.Dump() + " is below the minimum " + min->Dump());
      if (const Json* max = schema.find("maximum"); max && value.as_number() > max->as_number())
        Fail(path, value.Dump() + " is above the maximum " + max->Dump());
    }
    if (value.type() == Json::Type::kArray) CheckArray(value, schema, path);
    if (value.type() == Json::Type::kObject) CheckObject(value, schema, path);
  }

 private:
  [[noreturn]] static void Fail(const std::string& path, const std::string& what) {
    throw InvalidArgument("invalid model contract at " + path + ": " + what);
  }

  const Json& Resolve(const std::string& ref) const {
    const std::string prefix = "#/$defs/";
    const Json* defs = root_.find("$defs");
    const Json* target = (ref.rfind(prefix, 0) == 0 && defs) ? defs->find(ref.substr(prefix.size())) : nullptr;
    if (target == nullptr) throw RuntimeError("contract schema has an unresolvable $ref " + ref);
    return *target;
  }

  static bool TypeMatches(const Json& value, const std::string& type) {
    const std::string actual = JsonTypeName(value);
    return actual == type || (type == "number" && actual == "integer");
  }

  static void CheckType(const Json& value, const Json& type, const std::string& path) {
    if (type.type() == Json::Type::kString) {
      if (!TypeMatches(value, type.as_string())) Fail(path, "expected " + type.as_string() + ", got " + JsonTypeName(value));
      return;
    }
    for (const auto& option : type.as_array())
      if (TypeMatches(value, option.as_string())) return;
    Fail(path, "expected one of " + type.Dump() + ", got " + JsonTypeName(value));
  }

  void CheckArray(const Json& value, const Json& schema, const std::string& path) const {
    const auto& items = value.as_array();
    if (const Json* min = schema.find("minItems"); min && items.size() < static_cast<size_t>(min->as_number()))
      Fail(path, "needs at least " + min->Dump() + " items");
    if (const Json* max = schema.find("maxItems"); max && items.size() > static_cast<size_t>(max->as_number()))
      Fail(path, "allows at most " + max->Dump() + " items");
    if (const Json* item_schema = schema.find("items"))
      for (size_t i = 0; i < items.size(); ++i) Check(items[i], *item_schema, path + "[" + std::to_string(i) + "]");
  }

  void CheckObject(const Json& value, const Json& schema, const std::string& path) const {
    if (const Json* required = schema.find("required"))
      for (const auto& key : required->as_array())
        if (!value.find(key.as_string())) Fail(path, "missing required field \"" + key.as_string() + "\"");
    const Json* properties = schema.find("properties");
    const Json* additional = schema.find("additionalProperties");
    for (const auto& [key, member] : value.as_object()) {
      const Json* member_schema = properties ? properties->find(key) : nullptr;
      if (member_schema) {
        Check(member, *member_schema, path + "." + key);
      } else if (additional && additional->type() == Json::Type::kBool && !additional->as_bool()) {
        Fail(path, "unknown field \"" + key + "\"");
      }
    }
  }

  const Json& root_;
};

}  // namespace

void ValidateAgainstSchema(const Json& document, const Json& schema) { Validator(schema).Check(document, schema, "$"); }

}  // namespace mobilevsr
