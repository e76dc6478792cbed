  // The pages a crawl did not keep (its rejects.jsonl): URL, outcome, reason, a link; filtered by
  // reason and by words of the URL or reason, 100 a page.
  const LOST_PAGE = 100;
  const lostState = { reason: '', q: '', page: 1 };

  function reasonCode(row) {
    // As the crawl counts it: the outcome, then the text before the reason's first colon.
    const code = row.reason.split(':', 1)[0].trim().toLowerCase().replace(/ /g, '-') || 'unknown';
    return row.outcome + '/' + code;
  }
  function lostRows() {
    const words = lostState.q.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    return (review.rejects || []).filter((row) =>
      (!lostState.reason || reasonCode(row) === lostState.reason) &&
      words.every((w) => (row.url + '\n' + row.reason).toLocaleLowerCase().includes(w)));
  }
  function renderLost() {
    if (!review.rejects) return;
    const rows = lostRows();
    const pages = Math.max(1, Math.ceil(rows.length / LOST_PAGE));
    lostState.page = Math.min(lostState.page, pages);
    const start = (lostState.page - 1) * LOST_PAGE;
    const shown = rows.slice(start, start + LOST_PAGE);
    document.getElementById('lost-count').textContent = rows.length
      ? 'Showing ' + (start + 1) + '\u2013' + (start + shown.length) + ' of ' +
        plural(rows.length, 'page', 'pages') +
        (rows.length < review.rejects.length ? ' (of ' + review.rejects.length + ')' : '')
      : 'No page matches the filter.';
    document.getElementById('lost-list').replaceChildren(...shown.map((row) => {
      const href = safeHref(row.url);
      const link = href
        ? el('a', { href: href, rel: 'noopener noreferrer', target: '_blank' }, breakable(row.url))
        : el('span', {}, breakable(row.url));
      return el('div', { class: 'lost-row', 'data-reason': reasonCode(row) }, [
        el('span', { class: 'chip outcome ' + row.outcome }, [reasonCode(row)]), link,
        el('div', { class: 'meta', dir: 'auto' }, breakable(row.reason))]);
    }));
    const pager = document.getElementById('lost-pager');
    pager.replaceChildren();
    for (let n = 1; n <= pages && pages > 1; n++) {
      if (pages > 12 && n > 2 && n < pages - 1 && Math.abs(n - lostState.page) > 2) {
        if (!pager.lastChild || pager.lastChild.tagName !== 'SPAN') {
          pager.append(el('span', {}, ['\u2026']));
        }
        continue;
      }
      const button = el('button', { type: 'button',
        'aria-current': n === lostState.page ? 'page' : null }, [String(n)]);
      button.addEventListener('click', () => { lostState.page = n; renderLost(); });
      pager.append(button);
    }
  }
  function fillLost() {
    if (!review.rejects) return;
    document.getElementById('lost').hidden = false;
    const counts = new Map();
    for (const row of review.rejects) {
      counts.set(reasonCode(row), (counts.get(reasonCode(row)) || 0) + 1);
    }
    const select = document.getElementById('lost-reason');
    for (const [code, count] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
      select.append(el('option', { value: code }, [code + ' (' + count + ')']));
    }
    select.value = lostState.reason;
    select.addEventListener('change', () => {
      lostState.reason = select.value; lostState.page = 1; renderLost(); writeState();
    });
    const search = document.getElementById('lost-search');
    search.addEventListener('input', () => {
      lostState.q = search.value.trim(); lostState.page = 1; renderLost();
    });
    renderLost();
  }
