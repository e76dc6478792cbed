  // A reviewer's corrections: "not this event" on a story, "not a copy" on a copy, "same event"
  // across two events. They are kept in the page and saved as a decisions file (no server), which
  // `scrapy cluster --decisions FILE` and the crawl (DEDUP_DECISIONS) apply to every later run.
  // The decisions this report's clustering already applied come first in the file it saves.
  const DECISIONS_SCHEMA = 'news-crawler/decisions';
  const review = JSON.parse(document.getElementById('review').textContent);
  // `earlier`: applied by this report's clustering; `added`: made here. Either can be dropped.
  const decided = { earlier: review.decisions || [], added: [], changed: false };
  const reviewState = { merging: null };  // the event picked first for "same event"
  const KIND_TEXT = { 'not-this-event': 'not this event', 'same-event': 'same event',
    'not-a-copy': 'not a copy' };

  function allDecisions() { return decided.earlier.concat(decided.added); }
  function findDecision(kind, url) {
    return allDecisions().find((d) => d.kind === kind && d.url === url);
  }
  function decidedAbout(url) {
    return allDecisions().some((d) => d.url === url || d.others.includes(url));
  }
  function addDecision(kind, url, others) {
    decided.added.push({ kind: kind, url: url, others: others, made: new Date().toISOString() });
    decided.changed = true;
    refreshReview();
  }
  function undoDecision(d) {
    decided.added = decided.added.filter((x) => x !== d);
    decided.earlier = decided.earlier.filter((x) => x !== d);
    decided.changed = true;
    refreshReview();
  }
  function memberUrls(data, keep) {
    const urls = [];
    for (const copy of data.copies) {
      for (const m of copy.members) if (keep(m, copy)) urls.push(m.url);
    }
    return urls;
  }

  function reviewTools(m, copy, data) {
    // The decisions about this article (each can be undone), then what can be decided: a copy
    // can be "not a copy"; a story of an event with others, "not this event".
    const marks = [];
    for (const d of allDecisions().filter((x) => x.url === m.url && x.kind !== 'same-event')) {
      const undo = el('button', { type: 'button', class: 'undo' }, ['undo']);
      undo.addEventListener('click', () => undoDecision(d));
      marks.push(el('span', { class: 'badge decided' }, ['marked: ' + KIND_TEXT[d.kind]]), undo);
    }
    let kind = null;
    if (!m.original) kind = 'not-a-copy';
    else if (data.copies.length > 1) kind = 'not-this-event';
    if (!kind || findDecision(kind, m.url)) {
      return marks.length ? el('div', { class: 'review-tools decided' }, marks) : null;
    }
    const button = el('button', { type: 'button', 'data-action': kind },
      [kind === 'not-a-copy' ? 'Not a copy' : 'Not this event']);
    button.addEventListener('click', () => {
      const others = kind === 'not-a-copy'
        ? copy.members.filter((x) => x.url !== m.url).map((x) => x.url)
        : memberUrls(data, (x, c) => c !== copy);
      addDecision(kind, m.url, others);
    });
    return el('div', { class: 'review-tools' }, [...marks, button]);
  }

  function eventTools(i) {
    const box = el('div', { class: 'event-tools' }, []);
    const mine = new Set(memberUrls(detail(i), () => true));
    for (const d of allDecisions().filter((x) => x.kind === 'same-event' &&
        (mine.has(x.url) || x.others.some((url) => mine.has(url))))) {
      const undo = el('button', { type: 'button', class: 'undo' }, ['undo']);
      undo.addEventListener('click', () => undoDecision(d));
      box.append(el('span', { class: 'badge decided' }, ['marked: same event']), undo);
    }
    const picked = reviewState.merging;
    if (picked === null) {
      const start = el('button', { type: 'button', 'data-action': 'same-event-start' },
        ['Same event as\u2026']);
      start.addEventListener('click', () => { reviewState.merging = i; refreshReview(); });
      box.append(start);
    } else if (picked === i) {
      const cancel = el('button', { type: 'button', 'data-action': 'same-event-cancel' },
        ['Cancel']);
      cancel.addEventListener('click', () => { reviewState.merging = null; refreshReview(); });
      box.append(el('span', { class: 'note' }, ['Now open the event it is the same as and ' +
        'press \u201cSame event\u201d there. ']), cancel);
    } else {
      const join = el('button', { type: 'button', 'data-action': 'same-event' },
        ['Same event as \u201c' + (events[picked].title || events[picked].id) + '\u201d']);
      join.addEventListener('click', () => {
        const first = detail(picked), second = detail(i);
        const lead = first.copies[0].members[0].url;
        const others = memberUrls(first, () => true).concat(memberUrls(second, () => true))
          .filter((url) => url !== lead);
        reviewState.merging = null;
        addDecision('same-event', lead, others);
      });
      box.append(join);
    }
    return box;
  }

  function decisionsFile() {
    return JSON.stringify({ schema: DECISIONS_SCHEMA, version: 1, decisions: allDecisions() },
      null, 1) + '\n';
  }
  function saveDecisions() {
    const blob = new Blob([decisionsFile()], { type: 'application/json' });
    const link = el('a', { href: URL.createObjectURL(blob), download: 'decisions.json' }, []);
    document.body.append(link);
    link.click();
    link.remove();
    decided.changed = false;
    refreshReview();
  }

  function refreshReview() {
    const all = allDecisions();
    document.getElementById('review-count').textContent = (all.length
      ? plural(all.length, 'decision', 'decisions')
      : 'No decisions: mark articles in the clusters') +
      (decided.changed ? ' (changes not saved yet)' : '');
    document.getElementById('review-save').disabled = !all.length && !decided.changed;
    const list = document.getElementById('review-list');
    list.replaceChildren(...all.map((d) => {
      const item = el('li', { dir: 'auto' }, [KIND_TEXT[d.kind] + ': ' + d.url + ' (against ' +
        plural(d.others.length, 'article', 'articles') + ')' +
        (decided.earlier.includes(d) ? ', applied in this report' : '') + ' ']);
      const undo = el('button', { type: 'button', class: 'undo' }, ['drop']);
      undo.addEventListener('click', () => undoDecision(d));
      item.append(undo);
      return item;
    }));
    if (typeof render === 'function' && document.documentElement.hasAttribute('data-ready')) {
      render();
    }
  }

  function fillReview() {
    const show = document.getElementById('review-show');
    show.addEventListener('click', () => {
      const list = document.getElementById('review-list');
      list.hidden = !list.hidden;
      show.setAttribute('aria-expanded', String(!list.hidden));
    });
    document.getElementById('review-save').addEventListener('click', saveDecisions);
    // Leaving the page would lose decisions made since the last save: the browser asks first.
    window.addEventListener('beforeunload', (event) => {
      if (decided.changed) event.preventDefault();
    });
    refreshReview();
  }
