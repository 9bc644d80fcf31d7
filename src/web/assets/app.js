// The pages' few enhancements; every page works without them. The theme
// switch changes the theme in place (the form posts when this does not
// run), buttons with data-copy="ID" copy an element's text (and stay hidden
// without this), forms with data-confirm ask first, and a checkbox with
// data-select-all="NAME" checks every NAME box of its form (hidden without
// this too). No eval, no inline
// script: the Content-Security-Policy allows only files like this one.

(() => {
  const root = document.documentElement;
  const dark = window.matchMedia('(prefers-color-scheme: dark)');

  function currentTheme() {
    const chosen = root.dataset.theme;
    return chosen === 'dark' || chosen === 'light' ? chosen : dark.matches ? 'dark' : 'light';
  }

  function labelThemeButtons() {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    for (const form of document.querySelectorAll('form[data-theme-toggle]')) {
      const button = form.querySelector('button[name="theme"]');
      if (!button) continue;
      button.value = next;
      button.textContent = next === 'dark' ? form.dataset.labelDark : form.dataset.labelLight;
    }
  }

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute('data-theme-toggle')) return;
    event.preventDefault();
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    root.dataset.theme = next;
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser the pages serve.
    document.cookie = `otp_radius_theme=${next}; Path=/; Max-Age=31536000; SameSite=Strict${secure}`;
    labelThemeButtons();
  });

  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
    if (!button) return;
    const source = document.getElementById(button.dataset.copy || '');
    if (!source) return;
    const status = button.dataset.copyStatus ? document.getElementById(button.dataset.copyStatus) : null;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) status.textContent = button.dataset.copied || '';
    } catch {
      // No clipboard (plain HTTP off loopback, or denied): the text stays there to select by hand.
    }
  });

  function boxesOf(all) {
    const form = all.closest('form');
    return form ? [...form.querySelectorAll('input[type="checkbox"]')].filter((box) => box.name === all.dataset.selectAll) : [];
  }

  // The select-all box shows the rows' state: checked when all are, mixed when some are.
  function showSelection(all) {
    const boxes = boxesOf(all);
    const checked = boxes.filter((box) => box.checked).length;
    all.checked = boxes.length > 0 && checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    if (box.dataset.selectAll) {
      for (const row of boxesOf(box)) row.checked = box.checked;
      box.indeterminate = false;
      return;
    }
    const form = box.closest('form');
    if (!form) return;
    for (const all of form.querySelectorAll('input[data-select-all]')) if (all.dataset.selectAll === box.name) showSelection(all);
  });

  function ready() {
    for (const button of document.querySelectorAll('button[data-copy][hidden]')) button.hidden = false;
    for (const all of document.querySelectorAll('input[data-select-all][hidden]')) {
      all.hidden = false;
      showSelection(all);
    }
    labelThemeButtons();
  }

  dark.addEventListener('change', labelThemeButtons);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
