#pragma once
// The OpenGL surface every VtkView needs, set process-wide before QApplication exists.

namespace driftlab::widgets {

// OpenGL 3.2 core, double buffer, RGBA8, depth 24, no stencil and no multisampling (VTK
// does its own FBO work; a multisampled default framebuffer breaks the blit). Call before
// constructing QApplication (in Qt Test: from the test class's static initMain()).
void setDefaultSurfaceFormat();

}  // namespace driftlab::widgets
