//===- help_format.h - --help of snnc and of model executables --*- C++ -*-===//
//
// Both command lines are CLI11 apps, and both print their help from the app,
// so the options parsed and the options described cannot drift apart. The
// layout is clang's rather than CLI11's default: the usage line first, the
// description, then each group of options under a lower-case heading, one
// option per line as "--name=VALUE" (snnc) or "--name VALUE" (executables)
// with its description from column 23. Included by .cpp files only: the
// runtime's public headers stay free of CLI11.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_HELP_FORMAT_H
#define SNN_HELP_FORMAT_H

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace snn {

/// CLI11's formatter with clang's layout. Give each option its value's
/// name with Option::option_text ("PATH"); a flag has none.
class HelpFormat : public CLI::Formatter {
public:
  /// `usage`: the first line ("usage: snnc [options] FILE.snn").
  /// `separator`: between a long option and its value, '=' or ' '.
  HelpFormat(std::string usage, char separator) : usage_(std::move(usage)), separator_(separator) { column_width(23); }

  std::string make_help(const CLI::App *app, std::string, CLI::AppFormatMode) const override {
    std::string description = app->get_description(), footer = make_footer(app);
    return usage_ + "\n" + (description.empty() ? "" : "\n" + description + "\n") + visible_groups(app) +
           (footer.empty() ? "" : "\n" + footer);
  }

  /// Each group that has an option to show, after one empty line.
  std::string visible_groups(const CLI::App *app) const {
    std::string text;
    for (const std::string &group : app->get_groups()) {
      std::vector<const CLI::Option *> options = app->get_options(
          [&](const CLI::Option *option) { return option->get_group() == group && option->nonpositional(); });
      if (!group.empty() && !options.empty())
        text += make_group(group, false, options);
    }
    return text;
  }

  std::string make_option_name(const CLI::Option *option, bool) const override {
    std::string names = option->get_name(false, true); // "-h,--help"
    for (std::size_t comma = names.find(','); comma != std::string::npos; comma = names.find(',', comma + 2))
      names.insert(comma + 1, " ");
    return names;
  }

  /// The description, its lines broken at spaces to fit in 100 columns.
  std::string make_option_desc(const CLI::Option *option) const override {
    constexpr std::size_t kWidth = 100 - 23 - 2; // lines of at most 99 columns
    std::string text = option->get_description();
    std::size_t line_start = 0, last_space = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        line_start = i + 1;
        last_space = std::string::npos;
        continue;
      }
      if (text[i] == ' ')
        last_space = i;
      if (i - line_start >= kWidth && last_space != std::string::npos && last_space > line_start) {
        text[last_space] = '\n';
        line_start = last_space + 1;
        last_space = std::string::npos;
      }
    }
    return text;
  }

  std::string make_option_opts(const CLI::Option *option) const override {
    const std::string &value = option->get_option_text();
    if (value.empty())
      return "";
    bool long_only = option->get_snames().empty() && !option->get_lnames().empty();
    return (long_only ? std::string(1, separator_) : std::string(" ")) + value;
  }

private:
  std::string usage_;
  char separator_;
};

/// How messages name `option`: its first long name ("--seed"), else its
/// first short one. (CLI11's get_name gives "" for a hidden option.)
inline std::string option_name(const CLI::Option &option) {
  if (!option.get_lnames().empty())
    return "--" + option.get_lnames().front();
  return option.get_snames().empty() ? option.get_name() : "-" + option.get_snames().front();
}

/// The first argument "--NAME=VALUE" that gives a value to a flag of `app`
/// (an option that takes none), as "--NAME"; "" when there is none. CLI11
/// would read the value as the flag's count or truth value.
inline std::string flag_given_a_value(const CLI::App &app, const std::vector<std::string> &arguments) {
  for (const std::string &argument : arguments) {
    if (argument == "--")
      break;
    std::size_t equals = argument.find('=');
    if (argument.rfind("--", 0) != 0 || equals == std::string::npos)
      continue;
    std::string name = argument.substr(0, equals);
    const CLI::Option *option = app.get_option_no_throw(name);
    if (option && option->get_expected_max() == 0)
      return name;
  }
  return "";
}

/// A value option for `app`: `into` is set to the last value given, and to
/// "" when the option is given without one (at the end of the command line
/// or before another option), which the caller reports in its own words.
inline CLI::Option *add_value_option(CLI::App &app, const std::string &names, std::string &into,
                                     const std::string &value_name, const std::string &description) {
  return app.add_option(names, into, description)
      ->option_text(value_name)
      ->expected(0, 1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

/// As add_value_option, for an option that may be repeated: each value in
/// order ("" for an occurrence without one).
inline CLI::Option *add_list_option(CLI::App &app, const std::string &names, std::vector<std::string> &into,
                                    const std::string &value_name, const std::string &description) {
  return app.add_option(names, into, description)
      ->option_text(value_name)
      ->expected(0, 1)
      ->allow_extra_args(false) // one value per occurrence, as `-I A -I B FILE`
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

} // namespace snn

#endif // SNN_HELP_FORMAT_H
