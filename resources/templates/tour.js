 const slides = Array.from(document.querySelectorAll('.slide'));
 let at = Math.max(0, slides.findIndex(s => '#' + s.id === location.hash));
 function show(i) { at = Math.min(Math.max(i, 0), slides.length - 1); slides.forEach((s, j) => s.classList.toggle('on', j === at)); history.replaceState(null, '', '#' + slides[at].id); }
 document.addEventListener('keydown', e => {
   if (['ArrowRight', 'PageDown', ' '].includes(e.key)) { show(at + 1); e.preventDefault(); }
   if (['ArrowLeft', 'PageUp'].includes(e.key)) { show(at - 1); e.preventDefault(); }
   if (e.key === 'Home') show(0); if (e.key === 'End') show(slides.length - 1);
 });
 show(at);
