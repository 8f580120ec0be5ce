/* The roll-up chart (moved out of rollup.html: no inline script under the CSP). */
window.ghStackedBar(document.getElementById("chart-rollup"), JSON.parse(document.getElementById("gh-charts").textContent), true);
