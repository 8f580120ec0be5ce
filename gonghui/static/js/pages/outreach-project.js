/* A project's target/done chart (moved out of project_detail.html: no inline script under the CSP). */
(function(){var labels=JSON.parse(document.getElementById("outreach-project-labels").textContent);var rows=JSON.parse(document.getElementById("rows").textContent);var c=echarts.init(document.getElementById("chart"));
c.setOption({tooltip:{},legend:{},xAxis:{type:"category",data:rows.map(function(r){return r.district})},yAxis:{type:"value"},
series:[{name:labels.target,type:"bar",data:rows.map(function(r){return r.target})},{name:labels.done,type:"bar",data:rows.map(function(r){return r.done})}]});})();
