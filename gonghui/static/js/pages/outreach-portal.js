/* Nearby stations: the browser's location (moved out of portal.html: no inline script under the CSP). */
document.getElementById("locate").addEventListener("click", function(){
  if (!navigator.geolocation) { document.getElementById("geo-error").classList.remove("d-none"); return; }
  navigator.geolocation.getCurrentPosition(function(p){
    document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("lon").value = p.coords.longitude.toFixed(6);
    document.getElementById("place").value = "";
    document.getElementById("near-form").submit();
  }, function(){ document.getElementById("geo-error").classList.remove("d-none"); }, {timeout: 8000});
});
document.getElementById("place").addEventListener("input", function(){ document.getElementById("lat").value=""; document.getElementById("lon").value=""; });
