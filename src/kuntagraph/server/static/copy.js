// "Copy" buttons for the ready-made information requests (the text is selectable without JavaScript too).
document.querySelectorAll("button.copy").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var area = document.getElementById(button.dataset.target);
    area.select();
    if (navigator.clipboard) navigator.clipboard.writeText(area.value).catch(function () { document.execCommand("copy"); });
    else document.execCommand("copy");
  });
});
