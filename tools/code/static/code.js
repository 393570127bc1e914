// The clone box's Copy button: copies the command, says so on the button.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-from]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-from"));
  field.select();
  var done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      document.execCommand("copy"); done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
