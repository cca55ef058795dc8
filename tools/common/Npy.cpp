//===- Npy.cpp - strict reader and writer of .npy files -------------------===//
//
// Format: the magic "\x93NUMPY", a major and minor version byte, the header
// length (2 bytes little-endian in 1.0, 4 bytes in 2.0), then a Python dict
// literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with
// spaces and a newline, then the raw elements.
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include "s2attn/CAPI/Runner/FloatFormats.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>
#include <optional>

using namespace s2run;
using llvm::StringRef;

namespace {

constexpr StringRef kMagic = "\x93NUMPY";
/// Arrays beyond this are certainly a mistake for the runner, and keeping
/// the bound low keeps every size computation far from overflow.
constexpr int64_t kMaxElements = int64_t(1) << 40;

llvm::Error npyError(StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 name + ": " + message);
}

/// The dictionary of an .npy header, parsed.
struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// A cursor over the header's Python literal that accepts exactly the
/// subset numpy writes.
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name) : text(text), name(name) {}

  llvm::Expected<NpyHeader> parse() {
    NpyHeader header;
    if (!consume('{'))
      return error("expected '{' at the start of the header");
    while (!consume('}')) {
      std::optional<std::string> key = parseString();
      if (!key)
        return error("expected a quoted key or '}' in the header");
      if (!consume(':'))
        return error("expected ':' after '" + *key + "'");
      if (llvm::Error err = parseValue(*key, header))
        return std::move(err);
      if (!consume(',')) {
        if (!consume('}'))
          return error("expected ',' or '}' after the value of '" + *key + "'");
        break;
      }
    }
    skipSpaces();
    if (!text.empty())
      return error("unexpected text after the header dictionary: '" +
                   text.take_front(20) + "'");
    if (!header.descr || !header.fortranOrder || !header.shape)
      return error("the header must have the keys 'descr', 'fortran_order' "
                   "and 'shape'");
    return header;
  }

private:
  llvm::Error error(const llvm::Twine &message) {
    return npyError(name, "malformed .npy header: " + message);
  }

  void skipSpaces() { text = text.ltrim(" \t\n"); }

  bool consume(char c) {
    skipSpaces();
    if (!text.consume_front(StringRef(&c, 1)))
      return false;
    return true;
  }

  std::optional<std::string> parseString() {
    skipSpaces();
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return std::nullopt;
    char quote = text.front();
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return std::nullopt;
    std::string value = text.slice(1, end).str();
    text = text.drop_front(end + 1);
    return value;
  }

  std::optional<bool> parseBool() {
    skipSpaces();
    if (text.consume_front("True"))
      return true;
    if (text.consume_front("False"))
      return false;
    return std::nullopt;
  }

  std::optional<int64_t> parseInteger() {
    skipSpaces();
    size_t digits = 0;
    while (digits < text.size() && llvm::isDigit(text[digits]))
      ++digits;
    // numpy writes Python ints, which may carry an 'L' on old writers.
    int64_t value = 0;
    if (digits == 0 || digits > 15 ||
        text.take_front(digits).getAsInteger(10, value))
      return std::nullopt;
    text = text.drop_front(digits);
    text.consume_front("L");
    return value;
  }

  std::optional<std::vector<int64_t>> parseShape() {
    if (!consume('('))
      return std::nullopt;
    std::vector<int64_t> shape;
    while (!consume(')')) {
      std::optional<int64_t> dim = parseInteger();
      if (!dim)
        return std::nullopt;
      shape.push_back(*dim);
      if (!consume(',')) {
        if (!consume(')'))
          return std::nullopt;
        break;
      }
    }
    return shape;
  }

  llvm::Error parseValue(StringRef key, NpyHeader &header) {
    if (key == "descr") {
      header.descr = parseString();
      if (!header.descr)
        return error("'descr' must be a quoted dtype string such as '<f4'");
    } else if (key == "fortran_order") {
      header.fortranOrder = parseBool();
      if (!header.fortranOrder)
        return error("'fortran_order' must be True or False");
    } else if (key == "shape") {
      header.shape = parseShape();
      if (!header.shape)
        return error("'shape' must be a tuple of non-negative integers");
    } else {
      return error("unexpected key '" + key + "'");
    }
    return llvm::Error::success();
  }

  StringRef text;
  StringRef name;
};

std::optional<NpyDType> dtypeFromDescr(StringRef descr) {
  // '|' (not applicable) and '<' (little-endian) are what numpy writes on
  // the machines we run on; '=' is native, which is little-endian here too.
  if (descr.size() < 2 || !StringRef("<|=").contains(descr.front()))
    return std::nullopt;
  StringRef type = descr.drop_front();
  if (type == "f4")
    return NpyDType::Float32;
  if (type == "f2")
    return NpyDType::Float16;
  // ml_dtypes' bfloat16 is not a builtin numpy type: np.save records it as
  // a 2-byte void.
  if (type == "V2")
    return NpyDType::BFloat16;
  if (type == "b1")
    return NpyDType::Bool;
  if (type == "u1")
    return NpyDType::UInt8;
  return std::nullopt;
}

llvm::Expected<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> shape,
                                            StringRef name) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return npyError(name,
                      "negative dimension in shape " + formatShape(shape));
    if (dim != 0 && count > kMaxElements / dim)
      return npyError(name, "shape " + formatShape(shape) + " is too large");
    count *= dim;
  }
  return count;
}

uint32_t readLittleEndian(StringRef bytes) {
  uint32_t value = 0;
  for (size_t i = bytes.size(); i-- > 0;)
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

} // namespace

StringRef s2run::npyDTypeName(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::Float32:
    return "float32";
  case NpyDType::Float16:
    return "float16";
  case NpyDType::BFloat16:
    return "bfloat16";
  case NpyDType::Bool:
    return "bool";
  case NpyDType::UInt8:
    return "uint8";
  }
  return "?";
}

int64_t s2run::npyDTypeBytes(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::Float32:
    return 4;
  case NpyDType::Float16:
  case NpyDType::BFloat16:
    return 2;
  case NpyDType::Bool:
  case NpyDType::UInt8:
    return 1;
  }
  return 1;
}

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

float NpyArray::floatAt(int64_t index) const {
  const uint8_t *bytes = data.data() + index * npyDTypeBytes(dtype);
  uint16_t half = static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
  switch (dtype) {
  case NpyDType::Float32: {
    uint32_t bits =
        readLittleEndian(StringRef(reinterpret_cast<const char *>(bytes), 4));
    return floatFromBits(bits);
  }
  case NpyDType::Float16:
    return f16ToFloat(half);
  case NpyDType::BFloat16:
    return bf16ToFloat(half);
  case NpyDType::Bool:
  case NpyDType::UInt8:
    return bytes[0];
  }
  return 0.0f;
}

std::string s2run::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (auto [index, dim] : llvm::enumerate(shape))
    text += (index ? ", " : "") + std::to_string(dim);
  if (shape.size() == 1)
    text += ",";
  return text + ")";
}

llvm::Expected<NpyArray> s2run::parseNpy(StringRef contents, StringRef name) {
  if (!contents.starts_with(kMagic) || contents.size() < 10)
    return npyError(name, "not an .npy file (no \\x93NUMPY magic)");
  uint8_t major = contents[6], minor = contents[7];
  if ((major != 1 && major != 2) || minor != 0)
    return npyError(name, llvm::formatv("unsupported .npy format version "
                                        "{0}.{1} (expected 1.0 or 2.0)",
                                        major, minor)
                              .str());
  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t prefix = 8 + lengthBytes;
  if (contents.size() < prefix)
    return npyError(name, "truncated .npy header");
  size_t headerLength = readLittleEndian(contents.substr(8, lengthBytes));
  if (contents.size() < prefix + headerLength)
    return npyError(name, "truncated .npy header");
  StringRef headerText = contents.substr(prefix, headerLength);
  llvm::Expected<NpyHeader> header = HeaderParser(headerText, name).parse();
  if (!header)
    return header.takeError();

  std::optional<NpyDType> dtype = dtypeFromDescr(*header->descr);
  if (!dtype)
    return npyError(name, "unsupported dtype '" + *header->descr +
                              "' (expected little-endian float32, float16, "
                              "bfloat16, bool or uint8)");
  if (*header->fortranOrder)
    return npyError(name, "Fortran-ordered arrays are not supported; save a "
                          "C-contiguous array (np.ascontiguousarray)");
  llvm::Expected<int64_t> count = checkedElementCount(*header->shape, name);
  if (!count)
    return count.takeError();

  StringRef payload = contents.drop_front(prefix + headerLength);
  uint64_t expectedBytes =
      static_cast<uint64_t>(*count) * npyDTypeBytes(*dtype);
  if (payload.size() != expectedBytes)
    return npyError(name, llvm::formatv("shape {0} of {1} needs {2} bytes of "
                                        "data, the file has {3}",
                                        formatShape(*header->shape),
                                        npyDTypeName(*dtype), expectedBytes,
                                        payload.size())
                              .str());
  NpyArray array;
  array.dtype = *dtype;
  array.shape = std::move(*header->shape);
  array.data.assign(payload.bytes_begin(), payload.bytes_end());
  return array;
}

llvm::Expected<NpyArray> s2run::readNpyFile(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string s2run::serializeNpyFloat32(llvm::ArrayRef<int64_t> shape,
                                       llvm::ArrayRef<float> values) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " +
                       formatShape(shape) + ", }";
  // numpy pads the whole preamble to a multiple of 64 bytes so that the data
  // is aligned, and ends the header with a newline.
  size_t preamble = kMagic.size() + 2 + 2;
  size_t padded = (preamble + header.size() + 1 + 63) / 64 * 64;
  header.append(padded - preamble - header.size() - 1, ' ');
  header += '\n';

  std::string bytes;
  bytes.reserve(padded + values.size() * 4);
  bytes += kMagic;
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  for (float value : values) {
    uint32_t bits = floatBits(value);
    for (int byte = 0; byte < 4; ++byte)
      bytes += static_cast<char>((bits >> (8 * byte)) & 0xff);
  }
  return bytes;
}

llvm::Error s2run::writeNpyFloat32(StringRef path,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<float> values) {
  std::error_code ec;
  llvm::raw_fd_ostream stream(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  stream << serializeNpyFloat32(shape, values);
  stream.close();
  if (stream.has_error())
    return npyError(path, "cannot write: " + stream.error().message());
  return llvm::Error::success();
}
