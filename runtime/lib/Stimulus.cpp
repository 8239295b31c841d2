//===- Stimulus.cpp - Spike-time files driving a population ---------------===//

#include "Stimulus.h"

#include "NpzReader.h"
#include "QuotedText.h"

#include "snn/runtime.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace snn::rt {
namespace {

/// A field of a line and the 1-based column where its text starts.
struct Field {
  std::string_view text;
  std::size_t column;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

Field trim(std::string_view text, std::size_t column) {
  std::size_t begin = 0, end = text.size();
  while (begin < end && is_blank(text[begin]))
    ++begin;
  while (end > begin && is_blank(text[end - 1]))
    --end;
  return {text.substr(begin, end - begin), column + begin};
}

/// Parses line `line` of a stimulus file; the file name is kept for messages.
class SpikeLineParser {
public:
  SpikeLineParser(const std::string &path, std::string_view population, uint32_t size)
      : path_(path), population_(population), size_(size) {}

  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string &message) const {
    throw Error(path_ + ":" + std::to_string(line) + ":" + std::to_string(column), message);
  }

  static std::string shown(const std::string &text) { return quoted_text(text); }

  double parse_time(std::size_t line, Field field) const {
    std::string text(field.text);
    if (text.empty())
      fail(line, field.column, "missing spike time");
    // strtod also reads hexadecimal and "infinity"; only decimal numbers are
    // spike times, and nan/inf get a message of their own.
    bool decimal = text.find_first_not_of("0123456789.eE+-") == std::string::npos;
    errno = 0;
    char *end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    bool consumed = end == text.c_str() + text.size();
    if (consumed && !std::isfinite(value))
      fail(line, field.column, "spike time '" + shown(text) + "' is not a finite number");
    if (!decimal || !consumed)
      fail(line, field.column,
           "invalid spike time '" + shown(text) + "': expected a number of " + (unit_ == "s" ? "seconds" : unit_));
    if (value < 0)
      fail(line, field.column, "spike time " + shown(text) + " " + unit_ + " is negative");
    return value * scale_;
  }

  /// A first line that names the columns: `time,neuron`, with the time's
  /// unit if it is not seconds (`time_ms`, `time [ms]`, `time (us)`).
  /// False when the line is not a header (its first field starts like a
  /// number); an Error when it is a header that names something else.
  bool parse_header(std::size_t line, const std::vector<Field> &fields) {
    // A header's first field does not start like a number, and its second is
    // no index (so `nan,0` is a spike with a bad time, not a header).
    std::string_view first = fields[0].text;
    if (first.empty() || std::string_view("0123456789.+-").find(first[0]) != std::string_view::npos)
      return false;
    if (fields.size() == 2 && !fields[1].text.empty() &&
        fields[1].text.find_first_not_of("0123456789") == std::string_view::npos)
      return false;
    static const std::pair<const char *, double> kUnits[] = {
        {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6}, {"ns", 1e-9}};
    std::string time(first), unit = "s";
    for (const char *open : {"[", "("}) {
      std::size_t at = time.find(open);
      char close = *open == '[' ? ']' : ')';
      if (at != std::string::npos && time.back() == close) {
        unit = time.substr(at + 1, time.size() - at - 2);
        time = std::string(trim(std::string_view(time).substr(0, at), 1).text);
      }
    }
    if (std::size_t under = time.rfind('_'); under != std::string::npos && time.compare(0, under, "time") == 0) {
      unit = time.substr(under + 1);
      time = "time";
    }
    bool known_unit = false;
    for (const auto &[name, scale] : kUnits)
      if (unit == name) {
        known_unit = true;
        scale_ = scale;
        unit_ = unit;
      }
    std::string_view neuron = fields.size() == 2 ? fields[1].text : std::string_view();
    bool neuron_ok = neuron == "neuron" || neuron == "neuron_index" || neuron == "index" || neuron == "i";
    if (fields.size() != 2 || (time != "time" && time != "t") || !neuron_ok)
      fail(line, fields[0].column,
           "expected a header 'time,neuron' (the time's unit may follow: 'time_ms,neuron'), found '" +
               shown(std::string(first)) + (fields.size() > 1 ? "," + shown(std::string(fields[1].text)) : "") + "'");
    if (!known_unit)
      fail(line, fields[0].column, "unknown unit '" + shown(unit) + "' of the spike times: expected s, ms, us or ns");
    return true;
  }

  uint32_t parse_neuron(std::size_t line, Field field) const {
    std::string text(field.text);
    if (text.empty())
      fail(line, field.column, "missing neuron index");
    if (text.find_first_not_of("0123456789") != std::string::npos)
      fail(line, field.column, "invalid neuron index '" + shown(text) + "': expected a non-negative integer");
    // Compare digit strings so that huge indices do not overflow first.
    std::size_t first = text.find_first_not_of('0');
    std::string digits = first == std::string::npos ? "0" : text.substr(first);
    uint64_t value = digits.size() > 10 ? UINT64_MAX : std::stoull(digits);
    if (value >= size_)
      fail(line, field.column,
           "neuron index " + shown(text) + " is out of range: population '" + std::string(population_) + "' has " +
               std::to_string(size_) + " neurons");
    return uint32_t(value);
  }

  /// Parses one line with its comment removed; returns false for a header.
  bool parse(std::size_t line, std::string_view content, bool first_line, SpikeEvent &event) {
    std::vector<Field> fields;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = content.find(',', start);
      std::size_t end = comma == std::string_view::npos ? content.size() : comma;
      fields.push_back(trim(content.substr(start, end - start), start + 1));
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    if (first_line && parse_header(line, fields))
      return false;
    if (fields.size() != 2) {
      // Point at the extra column, or just past the only one.
      Field last = trim(content, 1);
      std::size_t column = fields.size() > 2 ? fields[2].column - 1 : last.column + last.text.size();
      fail(line, column, "expected 2 columns 'time,neuron' but found " + std::to_string(fields.size()));
    }
    event.time = parse_time(line, fields[0]);
    event.neuron = parse_neuron(line, fields[1]);
    return true;
  }

private:
  const std::string &path_;
  std::string_view population_;
  uint32_t size_;
  double scale_ = 1;       ///< seconds per unit of the time column
  std::string unit_ = "s"; ///< that unit, as the header names it
};

} // namespace

std::vector<SpikeEvent> parse_spike_times(std::string_view text, const std::string &path, std::string_view population,
                                          uint32_t size) {
  SpikeLineParser parser(path, population, size);
  std::vector<SpikeEvent> events;
  bool first_line = true;
  std::size_t line = 0;
  // Spreadsheet programs often start CSV files with a UTF-8 byte order mark.
  std::size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (start < text.size()) {
    ++line;
    std::size_t newline = text.find('\n', start);
    std::size_t end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view content = text.substr(start, end - start);
    start = end + 1;
    if (!content.empty() && content.back() == '\r')
      content.remove_suffix(1);
    content = content.substr(0, content.find('#'));
    if (trim(content, 1).text.empty())
      continue;
    SpikeEvent event;
    if (parser.parse(line, content, first_line, event))
      events.push_back(event);
    first_line = false;
  }
  return events;
}

std::vector<SpikeEvent> read_spike_times(const std::string &path, std::string_view population, uint32_t size) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file)
    throw Error(path, std::string("cannot open stimulus file: ") + std::strerror(errno));
  std::string text;
  char chunk[1 << 16];
  std::size_t got;
  uint64_t limit = max_input_bytes();
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
    text.append(chunk, got);
    if (text.size() > limit) // /dev/zero or a FIFO never ends
      throw input_too_large(path, "the stimulus file holds");
  }
  if (std::ferror(file.get()))
    throw Error(path, std::string("cannot read stimulus file: ") + std::strerror(errno));
  return parse_spike_times(text, path, population, size);
}

uint64_t step_of_time(double time, double dt) {
  double step = std::floor(time / dt + 1e-9);
  // Beyond any run length; keep the conversion defined.
  if (step >= 1.8e19)
    return UINT64_MAX;
  return uint64_t(step);
}

StimulusSchedule::StimulusSchedule(const std::vector<SpikeEvent> &events, double dt) {
  events_.reserve(events.size());
  for (const SpikeEvent &event : events)
    events_.push_back({step_of_time(event.time, dt), event.neuron});
  std::sort(events_.begin(), events_.end(), [](const StepEvent &a, const StepEvent &b) {
    return a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
  });
  // A neuron spikes at most once per step: later spikes in its step merge.
  auto same = [](const StepEvent &a, const StepEvent &b) { return a.step == b.step && a.neuron == b.neuron; };
  std::size_t before = events_.size();
  events_.erase(std::unique(events_.begin(), events_.end(), same), events_.end());
  merged_ = before - events_.size();
}

void StimulusSchedule::apply(uint64_t step, uint8_t *flags, uint32_t copies, uint64_t stride) {
  std::size_t begin = set_end_;
  if (step != next_step_)
    begin = std::lower_bound(events_.begin(), events_.end(), step,
                             [](const StepEvent &event, uint64_t s) { return event.step < s; }) -
            events_.begin();
  std::size_t end = begin;
  while (end < events_.size() && events_[end].step == step)
    ++end;
  for (uint32_t copy = 0; copy < copies; ++copy) {
    uint8_t *slice = flags + copy * stride;
    for (std::size_t e = set_begin_; e < set_end_; ++e)
      slice[events_[e].neuron] = 0;
    for (std::size_t e = begin; e < end; ++e)
      slice[events_[e].neuron] = 1;
  }
  set_begin_ = begin;
  set_end_ = end;
  next_step_ = step + 1;
}

void StimulusSchedule::rewind() {
  set_begin_ = set_end_ = 0;
  next_step_ = 0;
}

std::size_t StimulusSchedule::from_step(uint64_t step) const {
  return std::size_t(events_.end() -
                     std::lower_bound(events_.begin(), events_.end(), step,
                                      [](const StepEvent &event, uint64_t s) { return event.step < s; }));
}

} // namespace snn::rt
