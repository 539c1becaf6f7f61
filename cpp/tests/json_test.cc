// JSON parsing and writing (json.h): strict where a lenient reader would guess.
#include <string>

#include "errors.h"
#include "json.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

MOBILEVSR_TEST(TestJson) {
  using mobilevsr::Json;
  const Json j = mobilevsr::ParseJson(R"({"a": [1, 2.5, -3e2, true, null, "x\u00e9\n"], "b": {}})");
  Check(j.find("a")->as_array().size() == 6, "json array size");
  Check(j.find("a")->as_array()[0].is_integer() && !j.find("a")->as_array()[1].is_integer(), "json integer flag");
  Check(j.find("a")->as_array()[2].as_number() == -300.0, "json exponent");
  Check(j.find("a")->as_array()[5].as_string() == "x\xc3\xa9\n", "json unicode escape to UTF-8");
  Check(mobilevsr::ParseJson(j.Dump()) == j, "json dump round trip");
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01x", "\"unterminated", "{\"a\":1}{",
                          "{\"a\":1,\"a\":2}", "\"\\q\"", "nul"}) {
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(bad); }, std::string("json rejects ") + bad);
  }
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseJson("\"\xff\""); }, "json rejects invalid UTF-8",
                                          "UTF-8");
  // Strict where a lenient reader would guess: leading zeros, lone surrogates, overlong and surrogate UTF-8.
  for (const char* bad : {"01", "-01", "[00]", R"("\ud800")", R"("\udc00")", R"("\ud800x")", R"("\ud800\u0041")",
                          "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\""}) {
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(bad); }, std::string("json rejects ") + bad);
  }
  Check(mobilevsr::ParseJson(R"("\ud83d\ude00")").as_string() == "\xf0\x9f\x98\x80", "json surrogate pair");
  Check(mobilevsr::ParseJson("0").is_integer() && mobilevsr::ParseJson("-0.0e0").is_integer(), "json zero forms");
  Check(mobilevsr::ParseJson("4.0").is_integer() && mobilevsr::ParseJson("4e2").is_integer() &&
            !mobilevsr::ParseJson("4.5").is_integer(), "json integer means integral value (JSON Schema 2020-12)");
  Check(mobilevsr::ParseJson("4.0").Dump() == "4.0", "json keeps how a number was written");
  std::string deep(200, '[');
  CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(deep); }, "json depth limit", "deep");
}

}  // namespace
}  // namespace mobilevsr_test
