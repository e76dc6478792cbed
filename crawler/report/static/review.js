  // A reviewer's corrections: "not this event" on a story, "not a copy" on a copy, "same event"
  // across two events. They are kept in the page and saved as a decisions file (no server), which
  // `scrapy cluster --decisions FILE` and the crawl (DEDUP_DECISIONS) apply to every later run.
  // The decisions this report's clustering already applied come first in the file it saves.
  const DECISIONS_SCHEMA = 'news-crawler/decisions';
  const review = JSON.parse(document.getElementById('review').textContent);
  const decided = { earlier: review.decisions || [], added: [], saved: 0 };
  const reviewState = { merging: null };  // the event picked first for "same event"
  const KIND_TEXT = { 'not-this-event': 'not this event', 'same-event': 'same event',
    'not-a-copy': 'not a copy' };

  function allDecisions() { return decided.earlier.concat(decided.added); }
  function findDecision(kind, url) {
    return allDecisions().find((d) => d.kind === kind && d.url === url);
  }
  function addDecision(kind, url, others) {
    decided.added.push({ kind: kind, url: url, others: others, made: new Date().toISOString() });
    refreshReview();
  }
  function undoDecision(d) {
    decided.added = decided.added.filter((x) => x !== d);
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
    // A copy can be "not a copy"; a story of an event with others, "not this event".
    let kind = null;
    if (!m.original) kind = 'not-a-copy';
    else if (data.copies.length > 1) kind = 'not-this-event';
    if (!kind) return null;
    const done = findDecision(kind, m.url);
    if (done) {
      const undo = decided.added.includes(done)
        ? [el('button', { type: 'button', class: 'undo' }, ['undo'])] : [];
      const box = el('div', { class: 'review-tools decided' },
        [el('span', { class: 'badge decided' }, ['marked: ' + KIND_TEXT[kind]]), ...undo]);
      if (undo.length) undo[0].addEventListener('click', () => undoDecision(done));
      return box;
    }
    const button = el('button', { type: 'button', 'data-action': kind },
      [kind === 'not-a-copy' ? 'Not a copy' : 'Not this event']);
    button.addEventListener('click', () => {
      const others = kind === 'not-a-copy'
        ? copy.members.filter((x) => x.url !== m.url).map((x) => x.url)
        : memberUrls(data, (x, c) => c !== copy);
      addDecision(kind, m.url, others);
    });
    return el('div', { class: 'review-tools' }, [button]);
  }

  function eventTools(i) {
    const box = el('div', { class: 'event-tools' }, []);
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
    decided.saved = decided.added.length;
    refreshReview();
  }

  function refreshReview() {
    const all = allDecisions();
    const unsaved = decided.added.length - decided.saved;
    document.getElementById('review-count').textContent = all.length
      ? plural(all.length, 'decision', 'decisions') +
        (unsaved > 0 ? ' (' + unsaved + ' not saved yet)' : '')
      : 'No decisions: mark articles in the clusters';
    document.getElementById('review-save').disabled = !all.length;
    const list = document.getElementById('review-list');
    list.replaceChildren(...all.map((d) => {
      const item = el('li', { dir: 'auto' }, [KIND_TEXT[d.kind] + ': ' + d.url + ' (against ' +
        plural(d.others.length, 'article', 'articles') + ')' +
        (decided.earlier.includes(d) ? ', applied' : '')]);
      if (decided.added.includes(d)) {
        const undo = el('button', { type: 'button', class: 'undo' }, ['undo']);
        undo.addEventListener('click', () => undoDecision(d));
        item.append(' ', undo);
      }
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
    refreshReview();
  }
