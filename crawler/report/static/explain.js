  // Why an article is where it is: the dedup's own explanation (clusters.json's `explanation`)
  // on its card, and a copy's differences from its original. Text nodes only.
  function fixed(x) { return Number(x).toFixed(2); }
  // A threshold as set (0.475, 0.5): two decimals would show 0.475 as 0.47.
  function cut(x) { return String(Number(Number(x).toFixed(3))); }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function explanationBlock(m, data) {
    const ex = m.explanation;
    if (!ex) return null;
    if (ex.copy) return copyWhy(ex.copy, data);
    if (ex.event) return eventWhy(ex.event, m, data);
    return null;
  }

  function storyName(url, data) {
    // A story linked to by an explanation: its card's outlet and title when it is in this
    // event, else the title of the event it heads.
    for (const copy of data.copies) {
      for (const member of copy.members) {
        if (member.url === url) return (member.site || '') + ': ' + (member.title || url);
      }
    }
    const at = storyEvent.get(url);
    return at === undefined ? url : (events[at].title || url);
  }

  function copyWhy(c, data) {
    const box = el('div', { class: 'why why-copy' }, []);
    let line;
    if (c.rule === 'jaccard') {
      line = 'A copy: shingle Jaccard ' + fixed(c.jaccard) + ' \u2265 ' + fixed(c.threshold) +
        ' with the original';
    } else if (c.rule === 'containment') {
      line = 'A shortened copy: ' + Math.round(100 * c.containment) + '% of it is in the ' +
        'original (\u2265 ' + Math.round(100 * c.containment_threshold) + '%), Jaccard ' +
        fixed(c.jaccard) + ' \u2265 ' + fixed(c.min_jaccard);
    } else {
      line = 'Shingle Jaccard ' + fixed(c.jaccard) + ' with the original';
    }
    box.append(el('p', { class: 'why-line' }, [line]));
    if (c.via) {
      box.append(el('p', { class: 'why-line' }, ['Matched through the copy ' +
        storyName(c.via.url, data) + ' (Jaccard ' + fixed(c.via.jaccard) + ')']));
    }
    if (c.diff) box.append(diffView(c.diff));
    return box;
  }

  function diffView(diff) {
    const lines = [];
    if (diff.title) {
      lines.push(el('div', { class: 'diff-title', dir: 'auto' }, [
        el('span', { class: 'note' }, ['title: ']), el('del', {}, [diff.title[0]]), ' ',
        el('ins', {}, [diff.title[1]])]));
    }
    for (const change of diff.changes) {
      if (change.op === 'same') {
        lines.push(el('div', { class: 'diff-same' }, ['\u2026 ' +
          plural(change.lines, 'line', 'lines') + ' the same \u2026']));
      } else if (change.op === 'added') {
        const note = change.left_out ? [el('span', { class: 'note' },
          [' left out of the comparison'])] : [];
        lines.push(el('div', { class: 'diff-add', dir: 'auto' },
          ['+ ', ...breakable(change.text), ...note]));
      } else if (change.op === 'removed') {
        const note = change.ending ? [el('span', { class: 'note' }, [' cut ending'])] : [];
        lines.push(el('div', { class: 'diff-del', dir: 'auto' },
          ['\u2212 ', ...breakable(change.text), ...note]));
      } else {
        const runs = change.words.map(([op, text]) => op === '=' ? text
          : el(op === '+' ? 'ins' : 'del', {}, [text]));
        lines.push(el('div', { class: 'diff-edit', dir: 'auto' }, ['~ ', ...runs]));
      }
    }
    return el('details', { class: 'diff' }, [
      el('summary', {}, ['What differs: ' + diff.text]), el('div', { class: 'diff-lines' }, lines)]);
  }

  function eventWhy(e, m, data) {
    const box = el('div', { class: 'why why-event' }, []);
    if (!e.stories) {
      const near = e.nearest && e.nearest.score >= e.threshold;
      let why = 'no other story reached the threshold ' + cut(e.threshold) + '.';
      if (near && decidedAbout(m.url)) why = 'a reviewer\u2019s decision keeps it apart.';
      else if (near) why = 'its nearest story reaches the threshold, the rest of that ' +
        'story\u2019s event not on average.';
      box.append(el('p', { class: 'why-line' }, ['Alone in its event: ' + why]));
      if (e.nearest) box.append(nearestLine(e, data));
      return box;
    }
    const reached = e.score >= e.threshold;
    const head = (m.lead ? 'Event representative; its ties to the other stories: score '
      : 'In this event: score ') + fixed(e.score) + (reached ? ' \u2265 ' : ' < ') +
      'threshold ' + cut(e.threshold) + ', the average over ' +
      plural(e.stories, 'other story', 'other stories') + ' (each weighed by its articles)' +
      (reached ? '' : decidedAbout(m.url) ? '; joined by a reviewer\u2019s decision'
        : '; it joined with the stories it scores highest with');
    box.append(el('p', { class: 'why-line' }, [head]), meter(e.score, e.threshold));
    if (e.features.length) {
      box.append(el('p', { class: 'why-sub' }, ['Shared features, by their share of the score:']),
        el('ul', { class: 'features' }, e.features.map((f) => el('li', {
          class: 'feature ' + f.kind, title: f.kind + ', weight ' + f.weight.toFixed(3) +
            ' in this story, in ' + plural(f.stories, 'story', 'stories') + ' of the corpus',
        }, [el('b', { dir: 'auto' }, [f.text]), ' ' + f.kind + ' ' + fixed(f.contribution)]))));
    }
    const links = e.links.map((link) => el('li', { dir: 'auto' }, [
      el('b', {}, [fixed(link.score)]), ' ' + storyName(link.url, data) +
        (link.articles > 1 ? ' (\u00d7' + link.articles + ')' : '') +
        (link.candidate ? '' : ' \u2014 never compared: no shared salient feature')]));
    if (e.stories > e.links.length) {
      links.push(el('li', {}, ['\u2026 and ' + (e.stories - e.links.length) + ' more']));
    }
    box.append(el('p', { class: 'why-sub' }, ['Scores to the other stories:']),
      el('ul', { class: 'links' }, links));
    return box;
  }

  function nearestLine(e, data) {
    const near = e.nearest;
    const line = el('p', { class: 'why-line' }, ['Nearest story: score ' + fixed(near.score) +
      (near.score >= e.threshold ? ' \u2265 ' : ' < ') + cut(e.threshold) + ', ' +
      storyName(near.url, data) + ' ']);
    const at = storyEvent.get(near.url);
    if (at !== undefined) {
      const open = el('a', { href: '#open=' + encodeURIComponent(events[at].id) }, ['open it']);
      open.addEventListener('click', (event) => { event.preventDefault(); openEvent(at); });
      line.append(open);
    }
    return line;
  }

  function meter(score, threshold) {
    const bar = el('div', { class: 'meter', role: 'img',
      'aria-label': 'score ' + fixed(score) + ', threshold ' + cut(threshold) }, [
      el('span', { class: 'fill' + (score >= threshold ? ' reached' : ''),
        style: 'width:' + Math.round(100 * Math.min(score, 1)) + '%' }, []),
      el('span', { class: 'tick', style: 'left:' + Math.round(100 * threshold) + '%' }, [])]);
    return bar;
  }
