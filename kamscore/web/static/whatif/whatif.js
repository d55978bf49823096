/* The what-if page, enhanced: choosing a plan or a period reloads the page with that plan's
   parameters (the GET form, submitted on change); the weight table sums each column as you
   type and marks a column that does not add up to 100. Without this script the page works
   the same with its buttons. */
(function () {
  "use strict";

  function parse(text) {
    var value = parseFloat(String(text).replace("%", "").trim());
    return isNaN(value) ? null : value;
  }

  function sumColumn(column) {
    var inputs = document.querySelectorAll('input[data-column="' + column + '"]');
    var total = 0;
    var valid = true;
    inputs.forEach(function (input) {
      var value = parse(input.value);
      if (value === null) { valid = false; } else { total += value; }
    });
    var output = document.querySelector('output[data-sum="' + column + '"]');
    if (!output) { return; }
    var rounded = Math.round(total * 1e6) / 1e6;
    output.textContent = valid ? String(rounded) : "?";
    output.classList.toggle("sum--wrong", !valid || Math.abs(rounded - 100) > 1e-6);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chooser = document.getElementById("chooser");
    if (chooser) {
      chooser.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () { chooser.submit(); });
      });
    }
    var columns = {};
    document.querySelectorAll("input[data-column]").forEach(function (input) {
      columns[input.dataset.column] = true;
      input.addEventListener("input", function () { sumColumn(input.dataset.column); });
    });
    Object.keys(columns).forEach(sumColumn);
    var source = document.getElementById("source");
    var yamlMode = document.querySelector('input[name="mode"][value="yaml"]');
    if (source && yamlMode) {
      source.addEventListener("input", function () { yamlMode.checked = true; });
    }
  });
}());
