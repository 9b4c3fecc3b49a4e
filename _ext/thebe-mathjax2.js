/*
 * The part of MathJax 2's API that thebe 0.9 calls to typeset LaTeX in live outputs, served by
 * the MathJax 3 that the page already runs (from the site itself).
 *
 * thebe loads its typesetter script from `mathjaxUrl` (by default MathJax 2.7.5 from a CDN,
 * which would also replace the page's MathJax 3). The book points `mathjaxUrl` here instead:
 * this script adds `MathJax.Hub`, `MathJax.Ajax` and `MathJax.InputJax` to the page's MathJax,
 * and runs thebe's queued "Typeset" requests with MathJax 3's `typesetPromise`.
 */
(() => {
  const mathjax = (window.MathJax = window.MathJax || {}); // a page without maths has none
  if (mathjax.Hub) return; // loaded before
  const typeset = (element) => mathjax.typesetPromise && mathjax.typesetPromise([element]);
  let queue = Promise.resolve();
  const run = (step) => {
    if (typeof step === "function") return step();
    if (Array.isArray(step) && step[0] === "Typeset") return typeset(step[2]);
    return undefined; // ["Require", ...]: MathJax 3's TeX input already has AMS maths
  };
  mathjax.Hub = {
    config: {},
    Config: () => {},
    Configured: () => {},
    Register: { StartupHook: (_name, callback) => callback() },
    Queue: (...steps) => {
      for (const step of steps) {
        queue = queue.then(() => run(step)).catch((error) => console.warn("MathJax:", error));
      }
      return queue;
    },
  };
  mathjax.Ajax = {};
  mathjax.InputJax = { TeX: { resetEquationNumbers: () => mathjax.texReset && mathjax.texReset() } };
})();
