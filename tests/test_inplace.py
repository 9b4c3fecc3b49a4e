"""In-place changes and version counters: backward raises, as torch does, when a value it needs
was changed in place after the forward pass; legitimate in-place patterns keep working."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import nnlib as nl
import nnlib.nn.functional as F
from nnlib import init

MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace " \
    "operation"


def raises_modified(versions: str = "is at version 1; expected version 0 instead"):
    """The error both libraries raise (same wording) when a saved tensor was changed."""
    return pytest.raises(RuntimeError, match=f"{re.escape(MODIFIED)}.*{re.escape(versions)}")


# ------------------------------------------------------------------------ the two bugs
def test_changing_a_saved_constant_in_place_raises(device):
    q = nl.tensor([1.0, 2.0], requires_grad=True, device=device)
    scale = nl.tensor([3.0, 4.0], device=device)
    loss = (q * scale).sum()  # mul saves scale for q's gradient
    scale *= 10  # allowed (scale does not require grad), and counted
    assert scale._version == 1
    with raises_modified() as error:
        loss.backward()
    assert "which Mul saved for backward" in str(error.value)
    assert "[float32 tensor of shape (2,)]" in str(error.value)
    assert q.grad is None


def test_torch_raises_for_a_changed_saved_constant_too():
    q, scale = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0])
    loss = (q * scale).sum()
    scale *= 10
    with raises_modified():
        loss.backward()


def test_changing_an_output_through_a_detached_tensor_raises(device):
    q = nl.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = q.exp()  # exp saves its output
    d = y.detach()  # shares y's memory and version counter
    d += 1
    assert (q._version, y._version, d._version) == (0, 1, 1)
    with raises_modified() as error:
        y.sum().backward()
    assert "which is output 0 of Exp" in str(error.value)


def test_torch_raises_for_a_change_through_detach_too():
    q = torch.tensor([1.0, 2.0], requires_grad=True)
    y = q.exp()
    d = y.detach()
    d += 1
    assert (q._version, y._version, d._version) == (0, 1, 1)
    with raises_modified():
        y.sum().backward()


def test_the_versions_in_the_message_count_every_change():
    for lib in (nl, torch):
        q, scale = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
        scale += 1  # before the op: version 1 is what mul saves
        loss = (q * scale).sum()
        scale += 1
        scale += 1
        with raises_modified("is at version 3; expected version 1 instead"):
            loss.backward()


def test_a_change_through_a_view_or_the_base_of_a_view_raises(device):
    q = nl.tensor([1.0, 2.0], requires_grad=True, device=device)
    base = nl.tensor([[3.0, 4.0], [5.0, 6.0]], device=device)
    row = base[0]  # basic slicing: a view
    loss = (q * row).sum()
    base[0, 1] = 0.0  # changes row's values
    with raises_modified():
        loss.backward()
    loss = (q * base.T.reshape(4)[:2]).sum()  # transpose then reshape: a copy
    base.zero_()
    loss.backward()  # the copy was saved, not base: nothing to complain about


@pytest.mark.parametrize("make_view, is_view", [
    (lambda t: t.detach(), True),
    (lambda t: t.reshape(3, 2), True),
    (lambda t: t.view(-1), True),
    (lambda t: t.unsqueeze(0).squeeze(0).flatten(), True),
    (lambda t: t.T, True),
    (lambda t: t.transpose(0, 1), True),
    (lambda t: t.permute(1, 0), True),
    (lambda t: t[1:, ::2], True),
    (lambda t: t[0], True),
    (lambda t: t[..., None], True),
    (lambda t: t[:1].expand(4, 3), True),
    (lambda t: t.T.reshape(6), False),  # not contiguous: reshape copies
    (lambda t: t[nl.tensor([0, 1, 0])], False),  # advanced indexing copies
    (lambda t: t[0, 1], False),  # NumPy gives a scalar, copied to a new 0-d array (torch: view)
    (lambda t: t.clone(), False),
    (lambda t: t * 1, False),
])
def test_views_share_the_version_counter_copies_do_not(make_view, is_view):
    base = nl.tensor(np.arange(6.0).reshape(2, 3))
    view = make_view(base)
    assert np.shares_memory(view.numpy(), base.numpy()) == is_view
    base.add_(1)
    assert view._version == (1 if is_view else 0)
    if is_view and view.numpy().flags.writeable:  # (NumPy's broadcast views are read-only)
        view.mul_(2)
        assert base._version == 2


def test_views_share_the_counter_on_every_device(device):
    base = nl.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    views = [base.detach(), base.reshape(6), base.T, base[1:], base.transpose(0, 1)[0]]
    copies = [base.T.reshape(6), base.clone()]
    base += 1
    assert [v._version for v in views] == [1] * len(views)
    assert [c._version for c in copies] == [0] * len(copies)
    views[2][0, 0] = 0.0  # through a view: the base sees it
    assert base._version == 2 and base[0, 0].item() == 0.0


# -------------------------------------------------------------------- every in-place op
def _param():
    return nl.nn.Parameter(nl.tensor([[1.0, -2.0], [3.0, -4.0]]))


@pytest.mark.parametrize("op, change", [  # op: the name the error message uses
    ("add_", lambda t: t.__iadd__(1)), ("sub_", lambda t: t.__isub__(1)),
    ("mul_", lambda t: t.__imul__(2)), ("div_", lambda t: t.__itruediv__(2)),
    ("add_", lambda t: t.add_(1, alpha=2)), ("sub_", lambda t: t.sub_(1)),
    ("mul_", lambda t: t.mul_(2)), ("div_", lambda t: t.div_(2)),
    ("copy_", lambda t: t.zero_()), ("copy_", lambda t: t.fill_(3)),
    ("copy_", lambda t: t.copy_(nl.ones(2, 2))), ("setitem", lambda t: t.__setitem__(0, 5)),
    ("clamp_", lambda t: t.clamp_(-1, 1)),
])
def test_every_in_place_method_counts_and_is_refused_on_grad_tensors(op, change):
    plain = nl.tensor([[1.0, -2.0], [3.0, -4.0]])
    view = plain.detach()
    change(plain)
    assert plain._version == view._version == 1
    param = _param()
    with pytest.raises(RuntimeError, match=re.escape(f"{op}: in-place change")):
        change(param)
    assert param._version == 0
    with nl.no_grad():
        change(param)
    assert param._version == 1


def test_clamp_in_place_matches_torch():
    x = nl.tensor([-3.0, 0.5, 7.0])
    t = torch.tensor([-3.0, 0.5, 7.0])
    assert x.clamp_(-1, 2).tolist() == t.clamp_(-1, 2).tolist()
    assert x.clamp_(max=0).tolist() == t.clamp_(max=0).tolist()
    with pytest.raises(ValueError, match="clamp_: at least one of min and max"):
        x.clamp_()


@pytest.mark.parametrize("fill", [
    lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.constant_(t, 0.5),
    lambda t: init.zeros_(t), lambda t: init.ones_(t), lambda t: init.xavier_uniform_(t),
    lambda t: init.xavier_normal_(t), lambda t: init.kaiming_uniform_(t),
    lambda t: init.kaiming_normal_(t),
])
def test_init_functions_fill_parameters_in_place_and_count(fill):
    param = _param()
    assert fill(param) is param and param._version == 1
    assert param.requires_grad and param.is_leaf


def test_optimizer_load_state_dict_and_zero_grad_count_their_changes():
    model = nl.nn.Linear(2, 1)
    versions = [p._version for p in model.parameters()]
    (model(nl.ones(3, 2)).sum()).backward()
    nl.optim.SGD(model.parameters(), lr=0.1).step()
    assert [p._version for p in model.parameters()] == [v + 1 for v in versions]
    model.load_state_dict({k: v.numpy() * 0 for k, v in model.state_dict().items()})
    assert [p._version for p in model.parameters()] == [v + 2 for v in versions]
    grad = model.weight.grad
    nl.optim.SGD(model.parameters(), lr=0.1).zero_grad(set_to_none=False)
    assert grad._version == 1 and grad.tolist() == [[0.0, 0.0]]


def test_a_parameter_made_from_a_tensor_shares_its_counter():
    t = nl.tensor([1.0, 2.0])
    p = nl.nn.Parameter(t)
    t += 1
    assert p._version == 1 and p.tolist() == [2.0, 3.0]


def test_saved_index_and_target_tensors_are_checked_too():
    logits = nl.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 0.3]], requires_grad=True)
    target = nl.tensor([1, 2])
    for loss in (F.cross_entropy(logits, target), F.nll_loss(logits, target),
                 logits[nl.tensor([0, 1]), target].sum()):
        target[0] = 0
        with raises_modified("is at version"):
            loss.backward()


def test_the_check_message_advises_clone_and_no_grad():
    w = nl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as error:
        w += 1
    message = str(error.value)
    assert ".clone()" in message and "nl.no_grad()" in message
    assert "on a detached copy" not in message


# ------------------------------------------------------------- what keeps working
def test_in_place_on_a_tensor_no_op_saved_is_fine():
    for lib in (nl, torch):
        q, c = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
        loss = (q + c).sum() + (q * 2).sum()  # add saves nothing; 2 is not c
        c *= 10
        loss.backward()
        assert q.grad.tolist() == [3.0, 3.0]


def test_in_place_after_backward_is_fine(device):
    q = nl.tensor([1.0, 2.0], requires_grad=True, device=device)
    scale = nl.tensor([3.0, 4.0], device=device)
    (q * scale).sum().backward()
    scale *= 10
    assert q.grad.tolist() == [3.0, 4.0]
    (q * scale).sum().backward()  # a new graph saves the new version
    assert q.grad.tolist() == [33.0, 44.0]


def test_clone_then_in_place_is_fine():
    for lib in (nl, torch):
        q, scale = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
        loss = (q * scale).sum()
        copy = scale.clone()
        copy *= 10
        y = q.exp()
        changed = y.detach().clone()
        changed += 1
        (loss + y.sum()).backward()
        np.testing.assert_allclose(q.grad.tolist(), [3 + np.e, 4 + np.e**2], rtol=1e-6)


def test_data_is_unchecked_like_torchs():
    """Documented: changing ``.data`` bypasses the version counter, in both libraries."""
    for lib in (nl, torch):
        q, scale = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
        loss = (q * scale).sum()
        scale.data *= 10
        assert scale._version == 0
        loss.backward()  # no error, and the changed values are used
        assert q.grad.tolist() == [30.0, 40.0]


def test_sgd_training_loop_works(device):
    nl.manual_seed(0)
    model = nl.nn.Sequential(nl.nn.Linear(2, 3), nl.nn.Tanh(), nl.nn.Linear(3, 1)).to(device)
    optimizer = nl.optim.SGD(model.parameters(), lr=0.2, momentum=0.5)
    x = nl.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=device)
    y = nl.tensor([[1.0], [-1.0], [0.0]], device=device)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert model[0].weight._version == 1 + 5  # the init, then 5 steps


def test_backward_through_a_graph_older_than_a_step_raises_as_in_torch():
    rng = np.random.default_rng(0)
    x, w1, w2 = (rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (3, 5), (5, 1)))
    for lib in (nl, torch):
        a = lib.tensor(w1, requires_grad=True)
        b = lib.tensor(w2, requires_grad=True)
        loss = ((lib.tensor(x) @ a).tanh() @ b).sum()
        kwargs = {"retain_graph": True} if lib is torch else {}
        loss.backward(**kwargs)
        lib.optim.SGD([a, b], lr=0.1).step()  # fine after backward
        with raises_modified():  # b was saved (for the hidden layer's gradient), then updated
            loss.backward()
        # a was not saved: x @ a saves only x, which needs no gradient, so this graph is fine
        a.grad = None
        loss = (lib.tensor(x) @ a).sum()
        with lib.no_grad():
            a -= 1
        loss.backward()
        np.testing.assert_allclose(a.grad.numpy(), np.repeat(x.sum(0)[:, None], 5, 1),
                                   rtol=1e-6)


def test_a_graph_can_still_be_run_twice():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]) * [2.0, 3.0], rtol=1e-6)
