/* The supervision dashboard's charts (ECharts). The numbers come from the server in a
   JSON script element (no inline script: the CSP forbids it); a click drills down. */
(function () {
  "use strict";
  var source = document.getElementById("supervision-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = document.getElementById("supervision-chart-labels").dataset;
  var colours = { red: "#dc3545", yellow: "#ffc107", green: "#198754", none: "#adb5bd", finished: "#6c757d" };
  var charts = [];

  function chart(id, option, onClick) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var instance = echarts.init(element, null, { renderer: "svg" });
    instance.setOption(option);
    if (onClick) { instance.on("click", onClick); }
    charts.push(instance);
  }

  var listUrl = labels.listUrl;
  chart("chart-lights", {
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["40%", "70%"], avoidLabelOverlap: true,
      label: { formatter: "{b}: {c}" },
      data: data.lights.map(function (row) {
        return { name: row.name, value: row.value, key: row.key, itemStyle: { color: colours[row.key] } };
      })
    }]
  }, function (event) {
    if (listUrl && event.data && event.data.key) {
      window.location.href = listUrl + (listUrl.slice(-1) === "?" ? "" : "&") + "scope=all&light=" + event.data.key;
    }
  });

  var departments = data.departments.slice().reverse();
  var departmentChart = document.getElementById("chart-departments");
  if (departmentChart) {
    departmentChart.style.height = Math.max(240, departments.length * 28 + 70) + "px";
  }
  var keys = ["red", "yellow", "green", "finished"];
  chart("chart-departments", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: departments.map(function (row) { return row.name; }) },
    series: keys.map(function (key) {
      return {
        name: key === "finished" ? labels.finishedLabel : data.light_names[key],
        type: "bar", stack: "total", itemStyle: { color: colours[key] },
        data: departments.map(function (row) { return row[key]; })
      };
    })
  }, function (event) {
    var row = departments[event.dataIndex];
    if (row && row.url) { window.location.href = row.url; }
  });

  chart("chart-weekly", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.weekly.map(function (row) { return row.week.slice(5); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: labels.issuedLabel, type: "line", data: data.weekly.map(function (row) { return row.issued; }) },
      { name: labels.closedLabel, type: "line", data: data.weekly.map(function (row) { return row.closed; }) }
    ]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (instance) { instance.resize(); });
  });
})();
