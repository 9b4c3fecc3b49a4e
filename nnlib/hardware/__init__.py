"""Hardware for deep learning, the code behind chapter 6.

* :mod:`nnlib.hardware.systolic`: a systolic array simulated cycle by cycle (Kung 1982).
* :mod:`nnlib.hardware.roofline`: the roofline model (Williams et al. 2009) and the FLOPs and
  bytes of common ops.
* :mod:`nnlib.hardware.measure`: timing helpers and the measurements of the memory hierarchy,
  memory bandwidth and FLOP/s of the machine they run on.
* :mod:`nnlib.hardware.gpu`: global-memory traffic of the naive and tiled matrix multiply, counted
  in Numba's CUDA simulator.
* :mod:`nnlib.hardware.distributed`: synchronous data-parallel SGD with ``torch.distributed``, and
  its cost model.

Importing this package imports none of its modules' heavy dependencies (torch, numba).
"""
