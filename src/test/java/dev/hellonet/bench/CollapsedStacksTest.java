package dev.hellonet.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Collapsed stacks as async-profiler writes them with {@code threads}: self frames, threads, pools, kernel frames. */
class CollapsedStacksTest {
  private static final List<String> PROFILE = List.of(
      "[vert.x-acceptor-thread-0 tid=101];java/lang/Thread.run;io/netty/channel/unix/Socket.accept;accept4;"
          + "entry_SYSCALL_64_after_hwframe_[k];inet_csk_accept_[k] 30",
      "[vert.x-eventloop-thread-0 tid=102];java/lang/Thread.run;io/netty/channel/epoll/Native.epollWait0;epoll_wait 20",
      "[vert.x-eventloop-thread-1 tid=103];java/lang/Thread.run;io/netty/channel/epoll/Native.epollWait0;epoll_wait 10",
      "",
      "[vert.x-eventloop-thread-1 tid=103];java/lang/Thread.run;dev/hellonet/hello/HelloHandler.handle 25",
      "[GC Thread#0 tid=90];GCTaskThread::run 10",
      "[C2 CompilerThre tid=91] 3",
      "Interpreter;java/lang/Object.wait 2");

  @Test
  void addsUpSamplesBySelfFrame() {
    CollapsedStacks stacks = CollapsedStacks.parse(PROFILE);
    assertEquals(100, stacks.total());
    assertEquals(Map.of("inet_csk_accept_[k]", 30L, "epoll_wait", 30L, "dev/hellonet/hello/HelloHandler.handle", 25L,
        "GCTaskThread::run", 10L, CollapsedStacks.THREAD_ONLY, 3L, "java/lang/Object.wait", 2L), stacks.bySelfFrame());
  }

  @Test
  void selfFramesOfSomeThreadsOnly() {
    assertEquals(Map.of("epoll_wait", 30L, "dev/hellonet/hello/HelloHandler.handle", 25L),
        CollapsedStacks.parse(PROFILE).bySelfFrame(t -> t.startsWith("vert.x-eventloop-")));
  }

  @Test
  void addsUpSamplesByThreadWithoutTheTid() {
    CollapsedStacks stacks = CollapsedStacks.parse(PROFILE);
    assertEquals(Map.of("vert.x-acceptor-thread-0", 30L, "vert.x-eventloop-thread-0", 20L,
        "vert.x-eventloop-thread-1", 35L, "GC Thread#0", 10L, "C2 CompilerThre", 3L, CollapsedStacks.NO_THREAD, 2L),
        stacks.byThread());
  }

  @Test
  void groupsThreadsIntoPoolsKeepingTheAcceptorApart() {
    CollapsedStacks stacks = CollapsedStacks.parse(PROFILE);
    assertEquals(Map.of("vert.x-acceptor-thread-*", 30L, "vert.x-eventloop-thread-*", 55L, "GC Thread#*", 10L,
        "C* CompilerThre", 3L, CollapsedStacks.NO_THREAD, 2L), stacks.byThreadPattern());
  }

  @Test
  void countsSamplesThatReachTheKernel() {
    assertEquals(30, CollapsedStacks.parse(PROFILE).withKernelFrames());
  }

  @Test
  void aLineWithoutACountIsAnErrorNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CollapsedStacks.parse(List.of("a;b 1", "a;b;c twelve")));
    assertTrue(e.getMessage().startsWith("line 2: "), e.getMessage());
    assertTrue(e.getMessage().contains("a;b;c twelve"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CollapsedStacks.parse(List.of("a;b -3")));
    assertThrows(IllegalArgumentException.class, () -> CollapsedStacks.parse(List.of("nocount")));
  }
}
