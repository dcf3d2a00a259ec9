/* Small page behaviours, all from data- attributes (the CSP allows no inline script or onclick=).
 * Every page works without this file; it only saves clicks.
 *
 *   <form data-confirm="删除该方案？">            asks before submitting; a submit button's own data-confirm wins
 *   <select data-autosubmit>                       submits its form on change
 *   <button type="button" data-select-all="ID" hidden>   checks/unchecks every checkbox inside #ID
 *
 * <html> gets the class "js", so `.nojs-only` (e.g. the "go" button beside an autosubmit select) is hidden.
 */
(function () {
  'use strict';

  document.documentElement.classList.add('js');

  document.addEventListener('submit', (event) => {
    const form = event.target;
    const button = event.submitter;
    const text = (button && button.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (text && !window.confirm(text)) event.preventDefault();
  });

  document.addEventListener('change', (event) => {
    const select = event.target;
    if (!select.matches('select[data-autosubmit]') || !select.form) return;
    // requestSubmit (not submit) fires the submit event, so data-confirm and field validation still apply
    if (select.form.requestSubmit) select.form.requestSubmit();
    else select.form.submit();
  });

  function checkboxesOf(button) {
    const box = document.getElementById(button.getAttribute('data-select-all'));
    return box ? Array.from(box.querySelectorAll('input[type="checkbox"]:not(:disabled)')) : [];
  }

  function start() {
    document.querySelectorAll('[data-select-all]').forEach((button) => {
      button.hidden = false; // a page may ship it hidden, as it does nothing without this script
      button.setAttribute('aria-controls', button.getAttribute('data-select-all'));
    });
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('[data-select-all]');
    if (!button) return;
    event.preventDefault(); // a <button> left without type="button" would submit its form
    const boxes = checkboxesOf(button);
    const check = !boxes.every((b) => b.checked); // all ticked: untick all; otherwise tick all
    for (const b of boxes) {
      if (b.checked !== check) {
        b.checked = check;
        b.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
